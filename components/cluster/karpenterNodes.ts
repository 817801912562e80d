// Karpenter's EC2NodeClasses and NodePools as pure specs: the GPU pool (NVIDIA taint and label,
// a GPU ceiling) and the general-purpose pool that CPU services scale out onto.
import type { GeneralNodesConfig, KarpenterGpuNodesConfig } from "../config";
import { GPU_NODE_SELECTOR, GPU_RESOURCE, GPU_TAINT, NODE_ROLE_LABEL } from "./gpu";

/** What each of the two controller replicas requests (the capacity check counts them on the system nodes). */
export const KARPENTER_RESOURCES = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } };
export const KARPENTER_REPLICAS = 2;

/** The tag Karpenter finds the cluster's private subnets and security group by. */
export const DISCOVERY_TAG = "karpenter.sh/discovery";

export interface NodeClassArgs<Profile> {
  clusterName: string;
  /** A string, or a Pulumi output of one: only the profile waits for its creation. */
  instanceProfile: Profile;
  amiAlias: string;
  diskSizeGiB: number;
  /** MIME multi-part user data Karpenter merges ahead of its own (the GPU nodes' model cache). */
  userData?: string;
}

export function ec2NodeClassSpec<Profile>(args: NodeClassArgs<Profile>) {
  const discovery = [{ tags: { [DISCOVERY_TAG]: args.clusterName } }];
  return {
    instanceProfile: args.instanceProfile,
    amiSelectorTerms: [{ alias: args.amiAlias }],
    subnetSelectorTerms: discovery,
    securityGroupSelectorTerms: discovery,
    // IMDSv2 only, and one hop: pods (on the pod network) cannot reach the node's credentials.
    metadataOptions: {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "required",
    },
    blockDeviceMappings: [
      {
        deviceName: "/dev/xvda",
        ebs: { volumeSize: `${args.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
      },
    ],
    ...(args.userData ? { userData: args.userData } : {}),
  };
}

const requirement = (key: string, values: string[]) => ({ key, operator: "In", values });

export function gpuNodePoolSpec(config: KarpenterGpuNodesConfig, nodeClass: string) {
  return {
    template: {
      metadata: { labels: { ...GPU_NODE_SELECTOR, [NODE_ROLE_LABEL]: "gpu" } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClass },
        requirements: [
          requirement("karpenter.k8s.aws/instance-family", config.instanceFamilies),
          requirement("karpenter.sh/capacity-type", config.capacityTypes),
          requirement("kubernetes.io/arch", ["amd64"]),
          requirement("kubernetes.io/os", ["linux"]),
        ],
        taints: [{ ...GPU_TAINT }],
        expireAfter: "720h",
      },
    },
    // The cost ceiling: Karpenter launches no GPU beyond it.
    limits: { [GPU_RESOURCE]: String(config.maxGpus) },
    disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "5m" },
  };
}

export function generalNodePoolSpec(config: GeneralNodesConfig, nodeClass: string) {
  return {
    template: {
      metadata: { labels: { [NODE_ROLE_LABEL]: "general" } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClass },
        requirements: [
          requirement("karpenter.k8s.aws/instance-category", config.instanceCategories),
          { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
          requirement("karpenter.sh/capacity-type", config.capacityTypes),
          requirement("kubernetes.io/arch", ["amd64"]),
          requirement("kubernetes.io/os", ["linux"]),
        ],
        expireAfter: "720h",
      },
    },
    limits: { cpu: String(config.maxCpu), memory: `${config.maxMemoryGiB}Gi` },
    disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m" },
  };
}
