// The EKS layer: VPC → control plane → node groups → add-ons → Karpenter, as the ClusterLayer the
// mesh, observability and platform run on.
import * as aws from "@pulumi/aws";
import { ClusterAddons, DEFAULT_STORAGE_CLASS } from "./addons";
import type { ClusterLayer } from "./cluster";
import { EksCluster } from "./eksCluster";
import { NODE_ROLE_LABEL } from "./gpu";
import { Karpenter } from "./karpenter";
import { modelAccess } from "./modelAccess";
import { Network } from "./network";
import { NodeGroups } from "./nodeGroups";
import { usesKarpenter, type AppConfig, type EksClusterConfig } from "../config";

/** The VPC, the control plane, the node groups, the add-ons and, by default, Karpenter. */
export function eksLayer(config: AppConfig & { cluster: EksClusterConfig }): ClusterLayer {
  if (!config.region) throw new Error("eksLayer needs aws:region (checked by config rules)");
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
  const cluster = new EksCluster(
    "cluster",
    {
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
      partition: cluster.partition,
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
      partition: cluster.partition,
      nodeGroups: nodeGroups.gpu ? [nodeGroups.system, nodeGroups.gpu] : [nodeGroups.system],
    },
    { providers: [awsProvider, cluster.provider] },
  );
  // GPU (and general-purpose) capacity that follows the pods, unless the stack keeps a managed GPU group.
  const karpenter = usesKarpenter(eks)
    ? new Karpenter(
        "karpenter",
        {
          clusterName: cluster.clusterName,
          configuredClusterName: config.clusterName,
          clusterSecurityGroupId: cluster.clusterSecurityGroupId,
          partition: cluster.partition,
          region: config.region,
          privateSubnetIds: network.privateSubnetIds,
          gpu: eks.gpuNodes,
          general: eks.generalNodes,
          charts: config.charts,
          dependsOn: [nodeGroups.system, ...addons.addons],
        },
        { providers: [awsProvider, cluster.provider] },
      )
    : undefined;
  // Model servers that load weights from S3 read them with a role of their own.
  const access = modelAccess(
    "model-access",
    { clusterName: cluster.clusterName, partition: cluster.partition, services: config.services },
    { parent: cluster, provider: awsProvider, dependsOn: addons.addons },
  );
  return {
    mode: "eks",
    provider: cluster.provider,
    clusterName: cluster.clusterName,
    ready: [nodeGroups.system, ...addons.addons, addons.storageClass, ...(karpenter?.nodePools ?? [])],
    systemNodeSelector: { [NODE_ROLE_LABEL]: "system" },
    storageClass: DEFAULT_STORAGE_CLASS,
    modelAccess: access,
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
