// Composition root: config → components → stack outputs. No logic lives here.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons, DEFAULT_STORAGE_CLASS } from "./components/cluster/addons";
import { AiPlatform } from "./components/platform/aiPlatform";
import { Cluster } from "./components/cluster/cluster";
import { loadConfig, type AppConfig } from "./components/config";
import { ServiceMesh } from "./components/mesh/mesh";
import { Network } from "./components/cluster/network";
import { NodeGroups } from "./components/cluster/nodeGroups";
import { Observability } from "./components/observability/observability";

interface ClusterLayer {
  cluster: Cluster;
  /** What must exist before any workload can be scheduled. */
  ready: pulumi.Resource[];
  gpu: boolean;
  storageClass?: string;
  outputs: Record<string, unknown>;
}

function eksLayer(config: AppConfig): ClusterLayer {
  if (config.cluster.mode !== "eks" || !config.region) throw new Error("eksLayer needs cluster.mode eks");
  const eks = config.cluster;
  const awsProvider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags: { project: config.project, stack: config.stack, "managed-by": "pulumi" } },
  });
  const network = new Network(
    "network",
    { clusterName: config.clusterName, network: eks.network },
    { providers: [awsProvider] },
  );
  const cluster = new Cluster(
    "cluster",
    {
      mode: "eks",
      clusterName: config.clusterName,
      region: config.region,
      config: eks,
      subnetIds: network.privateSubnetIds,
    },
    { providers: [awsProvider] },
  );
  const nodeGroups = new NodeGroups(
    "nodes",
    {
      clusterName: cluster.clusterName,
      config: eks,
      partition: cluster.partition!,
      privateSubnetIds: network.privateSubnetIds,
      dependsOn: cluster.networkingAddons,
    },
    { providers: [awsProvider, cluster.provider] },
  );
  const addons = new ClusterAddons(
    "addons",
    {
      clusterName: cluster.clusterName,
      kubernetesVersion: eks.kubernetesVersion,
      partition: cluster.partition!,
      nodeGroups: [nodeGroups.system, nodeGroups.gpu],
    },
    { providers: [awsProvider, cluster.provider] },
  );
  return {
    cluster,
    ready: [nodeGroups.system, ...addons.addons, addons.storageClass],
    gpu: true,
    storageClass: DEFAULT_STORAGE_CLASS,
    outputs: {
      region: config.region,
      oidcIssuer: cluster.oidcIssuer,
      kubeconfig: cluster.kubeconfig,
      vpcId: network.vpcId,
      nodeGroups: { system: nodeGroups.system.nodeGroupName, gpu: nodeGroups.gpu.nodeGroupName },
    },
  };
}

function existingLayer(config: AppConfig): ClusterLayer {
  if (config.cluster.mode !== "existing") throw new Error("existingLayer needs cluster.mode existing");
  const cluster = new Cluster("cluster", { mode: "existing", clusterName: config.clusterName, config: config.cluster });
  return {
    cluster,
    ready: [],
    gpu: config.cluster.gpu,
    storageClass: config.cluster.storageClass,
    outputs: {
      gpuScheduling: config.cluster.gpu
        ? "enabled"
        : "disabled: object-detector runs on CPU without GPU limits, tolerations or node selectors",
    },
  };
}

export = async () => {
  const config = loadConfig();
  const layer = config.cluster.mode === "eks" ? eksLayer(config) : existingLayer(config);
  const k8sOpts = { providers: [layer.cluster.provider] };

  const observabilityNamespace = "monitoring";
  const mesh = new ServiceMesh(
    "mesh",
    {
      istio: config.istio,
      observability: config.observability,
      // Spans go to the tracing backend only when observability installs one.
      tracingNamespace: config.observability.enabled ? observabilityNamespace : undefined,
      dependsOn: layer.ready,
    },
    k8sOpts,
  );
  const observability = config.observability.enabled
    ? new Observability(
        "observability",
        {
          namespace: observabilityNamespace,
          config: config.observability,
          services: config.services,
          gpu: layer.gpu,
          storageClass: layer.storageClass,
          alertWebhookUrl: config.alertWebhookUrl,
          mesh,
          dependsOn: layer.ready,
        },
        k8sOpts,
      )
    : undefined;
  const platform = new AiPlatform(
    "platform",
    {
      services: config.services,
      callGraph: config.callGraph,
      ingress: config.istio.ingress,
      gpu: layer.gpu,
      mesh,
    },
    k8sOpts,
  );

  return {
    mode: config.cluster.mode,
    clusterName: layer.cluster.clusterName,
    ...layer.outputs,
    meshRootNamespace: mesh.rootNamespace,
    ingressNamespace: mesh.ingressNamespace,
    webUrl: platform.webUrl,
    canaryWeights: platform.weights,
    ...(observability ? observability.outputs : {}),
  };
};
