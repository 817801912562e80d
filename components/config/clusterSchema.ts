// The cluster part of the stack config: EKS (network, node groups) or an existing cluster.
import { z } from "zod";
import { NVIDIA_AMI_TYPES } from "../../policy/shared/gpu";
import { cidr, dnsLabel, roleArn } from "./primitives";

export const SYSTEM_AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"] as const;
const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large");

const nodeGroupFields = {
  instanceTypes: z.array(instanceType).min(1),
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  minSize: z.number().int().min(0),
  desiredSize: z.number().int().min(0),
  maxSize: z.number().int().min(1),
  /**
   * What scales the group: nothing here does, so the capacity check counts desiredSize nodes.
   * `cluster-autoscaler` states that one runs (EKS tags managed groups for its auto-discovery):
   * then the check counts maxSize.
   */
  autoscaler: z.enum(["none", "cluster-autoscaler"]).default("none"),
};

/**
 * The metrics API HorizontalPodAutoscalers read CPU from: `install` the pinned metrics-server
 * chart, or `present` when the cluster has one already (k3s, minikube's add-on, a platform team's).
 */
const metricsServer = z.enum(["install", "present"]).default("install");

const systemNodes = z
  .strictObject({
    ...nodeGroupFields,
    amiType: z.enum(SYSTEM_AMI_TYPES).default("AL2023_x86_64_STANDARD"),
    diskSizeGiB: z.number().int().min(20).default(50),
    instanceTypes: nodeGroupFields.instanceTypes.default(["m6i.large"]),
    minSize: nodeGroupFields.minSize.min(1).default(2),
    desiredSize: nodeGroupFields.desiredSize.default(2),
    maxSize: nodeGroupFields.maxSize.default(4),
  })
  .prefault({});

/** GPU nodes from a managed node group of fixed types (nothing here scales it). */
const managedGpuNodes = z.strictObject({
  provisioner: z.literal("managed"),
  ...nodeGroupFields,
  amiType: z.enum(NVIDIA_AMI_TYPES).default("AL2023_x86_64_NVIDIA"),
  // Model images are large; 100 GiB keeps image pulls from filling the root volume.
  diskSizeGiB: z.number().int().min(50).default(100),
  instanceTypes: nodeGroupFields.instanceTypes.default(["g5.xlarge"]),
  minSize: nodeGroupFields.minSize.default(1),
  desiredSize: nodeGroupFields.desiredSize.default(1),
  maxSize: nodeGroupFields.maxSize.default(4),
});

const capacityTypes = z.array(z.enum(["on-demand", "spot"])).min(1);
/**
 * The EKS-optimized AL2023 release Karpenter's nodes boot from. Pinned, so an AMI release does not
 * drift every GPU node (Karpenter replaces nodes whose AMI no longer matches); move it on purpose.
 * v20251016 is an awslabs/amazon-eks-ami release with AMIs for Kubernetes 1.34 (see that repository's
 * issue #2470, which lists it).
 */
export const DEFAULT_AMI_ALIAS = "al2023@v20251016";
const amiAlias = z
  .string()
  .regex(/^al2023@(latest|v\d{8})$/, 'must be an AL2023 alias such as "al2023@v20251016" or "al2023@latest"')
  .default(DEFAULT_AMI_ALIAS);

/** GPU nodes that Karpenter launches when GPU pods are pending, within a GPU ceiling. */
const karpenterGpuNodes = z.strictObject({
  provisioner: z.literal("karpenter"),
  instanceFamilies: z.array(z.string().min(1)).min(1).default(["g5", "g6"]),
  capacityTypes: capacityTypes.default(["on-demand"]),
  /** The NodePool's nvidia.com/gpu limit: the cost ceiling. */
  maxGpus: z.number().int().min(1).default(4),
  diskSizeGiB: z.number().int().min(50).default(100),
  amiAlias,
});

const gpuNodes = z
  .preprocess(
    (raw) => (raw && typeof raw === "object" && !("provisioner" in raw) ? { ...raw, provisioner: "karpenter" } : raw),
    z.discriminatedUnion("provisioner", [karpenterGpuNodes, managedGpuNodes], {
      error: 'must be "karpenter" or "managed"',
    }),
  )
  .prefault({});

/** Karpenter's general-purpose NodePool: where CPU services scale out beyond the system nodes. */
export const generalNodesSchema = z.strictObject({
  instanceCategories: z
    .array(z.enum(["c", "m", "r"]))
    .min(1)
    .default(["c", "m", "r"]),
  capacityTypes: capacityTypes.default(["spot", "on-demand"]),
  maxCpu: z.number().int().min(1).default(32),
  maxMemoryGiB: z.number().int().min(1).default(128),
  diskSizeGiB: z.number().int().min(20).default(50),
  amiAlias,
});
/** Set only with Karpenter; the root schema fills in the defaults then (see schema.ts). */
const generalNodes = generalNodesSchema.optional();

const network = z
  .strictObject({
    vpcCidr: z
      .cidrv4()
      .refine(
        (cidr) => Number(cidr.split("/")[1]) <= 20,
        "must be a /20 or larger so 3 private and 3 public subnets fit",
      )
      .default("10.0.0.0/16"),
    natGateways: z.enum(["single", "perAz"]).default("single"),
    existing: z
      .strictObject({
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id such as vpc-0abc123"),
        privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id")).min(2),
        publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id")).default([]),
      })
      .optional(),
  })
  .prefault({});

export const eksClusterSchema = z.strictObject({
  mode: z.literal("eks"),
  name: dnsLabel.optional(),
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, 'must be a Kubernetes minor version such as "1.34"')
    .default("1.34"),
  endpointPublicAccess: z.boolean().default(true),
  endpointPublicAccessCidrs: z.array(cidr).default([]),
  /** The explicit opt-in that 0.0.0.0/0 or ::/0 on the public endpoint needs. */
  allowPublicEndpointFromAnywhere: z.boolean().default(false),
  adminRoleArns: z.array(roleArn).default([]),
  logRetentionDays: z.number().int().min(1).default(90),
  kubeconfig: z.strictObject({ roleArn: roleArn.optional(), profile: z.string().min(1).optional() }).prefault({}),
  network,
  systemNodes,
  gpuNodes,
  generalNodes,
  metricsServer,
});

export const existingClusterSchema = z.strictObject({
  mode: z.literal("existing"),
  /**
   * The cluster's identity for the Kubernetes provider. A kube context name is a local alias that
   * may be renamed; a changed identity would replace the provider and every Kubernetes resource.
   */
  name: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "is required in existing mode: a stable name for this cluster (for EKS, its cluster name), used as its identity so renaming a kube context never replaces resources"
          : undefined,
    })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be a cluster name: letters, digits, '-' and '_', up to 100"),
  /** Path to a kubeconfig file; when absent the provider uses $KUBECONFIG or ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  /** Whether the cluster has NVIDIA GPUs with the device plugin; false runs object-detector on CPU. */
  gpu: z.boolean().default(false),
  /** StorageClass for Prometheus; the cluster default when absent. */
  storageClass: z.string().min(1).optional(),
  metricsServer,
  /** kind's kubelets serve self-signed certificates: metrics-server must skip verifying them there. */
  kubeletInsecureTls: z.boolean().default(false),
});

export const clusterSchema = z.discriminatedUnion("mode", [eksClusterSchema, existingClusterSchema], {
  error: 'must be "eks" or "existing"',
});

export type ExistingClusterConfig = z.output<typeof existingClusterSchema>;
export type ManagedGpuNodesConfig = z.output<typeof managedGpuNodes>;
export type KarpenterGpuNodesConfig = z.output<typeof karpenterGpuNodes>;
export type GeneralNodesConfig = z.output<typeof generalNodesSchema>;

type ParsedEksCluster = z.output<typeof eksClusterSchema>;
/** An EKS cluster whose GPU nodes come from Karpenter: then the general pool is always there. */
export type KarpenterEksClusterConfig = Omit<ParsedEksCluster, "gpuNodes" | "generalNodes"> & {
  gpuNodes: KarpenterGpuNodesConfig;
  generalNodes: GeneralNodesConfig;
};
/** An EKS cluster with a managed GPU group (generalNodes set here is a config error, see clusterRules). */
export type ManagedEksClusterConfig = Omit<ParsedEksCluster, "gpuNodes"> & { gpuNodes: ManagedGpuNodesConfig };
/** The EKS cluster config as the root schema's transform leaves it (see withGeneralNodes). */
export type EksClusterConfig = KarpenterEksClusterConfig | ManagedEksClusterConfig;
export type NodeGroupConfig = EksClusterConfig["systemNodes"] | ManagedGpuNodesConfig;

/** With Karpenter the general pool is filled in; the type says so once narrowed by this. */
export function usesKarpenter(cluster: EksClusterConfig): cluster is KarpenterEksClusterConfig {
  return cluster.gpuNodes.provisioner === "karpenter";
}

/** With Karpenter, a general-purpose NodePool is always there: its defaults when the stack names none. */
export function withGeneralNodes(cluster: ParsedEksCluster): EksClusterConfig {
  if (cluster.gpuNodes.provisioner !== "karpenter") return { ...cluster, gpuNodes: cluster.gpuNodes };
  return { ...cluster, gpuNodes: cluster.gpuNodes, generalNodes: cluster.generalNodes ?? generalNodesSchema.parse({}) };
}
