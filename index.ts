// Composition root: config → components → stack outputs. No logic lives here.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterAddons, DEFAULT_STORAGE_CLASS } from "./components/cluster/addons";
import { NODE_ROLE_LABEL } from "./components/cluster/gpu";
import { AiPlatform } from "./components/platform/aiPlatform";
import { Cluster } from "./components/cluster/cluster";
import { Karpenter } from "./components/cluster/karpenter";
import { capacityOutput } from "./components/capacity/output";
import { loadConfig, type AppConfig } from "./components/config";
import { ServiceMesh } from "./components/mesh/mesh";
import { MetricsServer } from "./components/cluster/metricsServer";
import { Network } from "./components/cluster/network";
import { NodeGroups } from "./components/cluster/nodeGroups";
import { Observability } from "./components/observability/observability";

interface ClusterLayer {
  cluster: Cluster;
  /** What must exist before any workload can be scheduled. */
  ready: pulumi.Resource[];
  /** Where pods pinned to the platform's own nodes go (EKS: the system group); anywhere when absent. */
  systemNodeSelector?: Record<string, string>;
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
      charts: config.charts,
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
      nodeGroups: nodeGroups.gpu ? [nodeGroups.system, nodeGroups.gpu] : [nodeGroups.system],
    },
    { providers: [awsProvider, cluster.provider] },
  );
  // GPU (and general-purpose) capacity that follows the pods, unless the stack keeps a managed GPU group.
  const karpenter =
    eks.gpuNodes.provisioner === "karpenter"
      ? new Karpenter(
          "karpenter",
          {
            clusterName: cluster.clusterName,
            configuredClusterName: config.clusterName,
            clusterSecurityGroupId: cluster.clusterSecurityGroupId!,
            partition: cluster.partition!,
            region: config.region,
            privateSubnetIds: network.privateSubnetIds,
            gpu: eks.gpuNodes,
            general: eks.generalNodes!,
            charts: config.charts,
            dependsOn: [nodeGroups.system, ...addons.addons],
          },
          { providers: [awsProvider, cluster.provider] },
        )
      : undefined;
  return {
    cluster,
    ready: [nodeGroups.system, ...addons.addons, addons.storageClass, ...(karpenter?.nodePools ?? [])],
    systemNodeSelector: { [NODE_ROLE_LABEL]: "system" },
    storageClass: DEFAULT_STORAGE_CLASS,
    outputs: {
      region: config.region,
      oidcIssuer: cluster.oidcIssuer,
      kubeconfig: cluster.kubeconfig,
      vpcId: network.vpcId,
      nodeGroups: {
        system: nodeGroups.system.nodeGroupName,
        ...(nodeGroups.gpu ? { gpu: nodeGroups.gpu.nodeGroupName } : {}),
      },
      ...(karpenter ? { karpenterInterruptionQueue: karpenter.interruptionQueue.name } : {}),
    },
  };
}

function existingLayer(config: AppConfig): ClusterLayer {
  if (config.cluster.mode !== "existing") throw new Error("existingLayer needs cluster.mode existing");
  const cluster = new Cluster("cluster", { mode: "existing", clusterName: config.clusterName, config: config.cluster });
  return {
    cluster,
    ready: [],
    storageClass: config.cluster.storageClass,
    outputs: {
      gpuScheduling: config.gpu
        ? "enabled"
        : "disabled: object-detector runs on CPU without GPU limits, tolerations or node selectors",
    },
  };
}

/** The stack program; the Automation API runs it inline (`scripts/e2e.ts`), the CLI through this module. */
export = async () => {
  const config = loadConfig();
  const layer = config.cluster.mode === "eks" ? eksLayer(config) : existingLayer(config);
  const k8sOpts = { providers: [layer.cluster.provider] };
  // Default providers are disabled, random's too; created only when something is generated, so a
  // stack without generated values needs no random plugin.
  let randomProvider: random.Provider | undefined;
  const randomProviderOnce = () => (randomProvider ??= new random.Provider("random"));

  const mesh = new ServiceMesh(
    "mesh",
    {
      istio: config.istio,
      observability: config.observability,
      charts: config.charts,
      // Spans go to the tracing backend only when observability installs one.
      tracingNamespace: config.observability.enabled ? config.observability.namespace : undefined,
      dependsOn: layer.ready,
    },
    k8sOpts,
  );
  // The metrics API every HPA reads. Created after istiod on purpose: `destroy` deletes in reverse
  // dependency depth, and a namespace cannot finish terminating while an APIService it must discover
  // is unavailable; at istiod's depth the release goes no later than the stack's namespaces.
  const metricsServer =
    config.cluster.metricsServer === "install"
      ? new MetricsServer(
          "metrics-server",
          {
            charts: config.charts,
            nodeSelector: layer.systemNodeSelector,
            kubeletInsecureTls: config.cluster.mode === "existing" && config.cluster.kubeletInsecureTls,
            dependsOn: [...layer.ready, mesh.istiod],
          },
          k8sOpts,
        )
      : undefined;
  const observability = config.observability.enabled
    ? new Observability(
        "observability",
        {
          config: config.observability,
          charts: config.charts,
          services: config.services,
          gpu: config.gpu,
          storageClass: layer.storageClass,
          alertWebhookUrl: config.alertWebhookUrl,
          mesh,
          randomProvider: randomProviderOnce,
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
      gpu: config.gpu,
      mesh,
      metricsApi: metricsServer ? [metricsServer.release] : [],
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
    capacity: capacityOutput(config.capacity),
    ...(observability ? observability.outputs : {}),
  };
};
