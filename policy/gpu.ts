// GPU scheduling policies: NVIDIA node groups are tainted, GPU workloads tolerate and select them.
import {
  GPU_NODE_LABEL,
  GPU_RESOURCE,
  WORKLOAD_TYPES,
  gpuLimit,
  objectName,
  podSpec,
  resourcePolicy,
  type AiMeshPolicy,
  type Props,
} from "./helpers";
import { NVIDIA_AMI_TYPES, isNvidiaGpuInstanceType } from "./shared/gpu";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";

/** A Karpenter NodePool is a GPU pool if it may launch NVIDIA families or labels its nodes as GPU nodes. */
function isGpuNodePool(spec: Props): boolean {
  const requirements: Props[] = spec.template?.spec?.requirements ?? [];
  const families = requirements
    .filter((r) => r.key === "karpenter.k8s.aws/instance-family" && r.operator === "In")
    .flatMap((r) => r.values ?? []);
  const types = requirements
    .filter((r) => r.key === "node.kubernetes.io/instance-type" && r.operator === "In")
    .flatMap((r) => r.values ?? []);
  return (
    families.some((family: string) => isNvidiaGpuInstanceType(`${family}.xlarge`)) ||
    types.some(isNvidiaGpuInstanceType) ||
    spec.template?.metadata?.labels?.[GPU_NODE_LABEL] === "true" ||
    requirements.some((r) => r.key === "karpenter.k8s.aws/instance-gpu-count")
  );
}

/** A node group is a GPU group if it has GPU instance types or the GPU node label. */
function isGpuGroup(props: Props): boolean {
  const types: string[] = props.instanceTypes ?? [];
  return types.some(isNvidiaGpuInstanceType) || props.labels?.[GPU_NODE_LABEL] === "true";
}

function toleratesGpuTaint(pod: Props): boolean {
  return (pod.tolerations ?? []).some(
    (t: Props) =>
      (t.key === GPU_RESOURCE || (t.key === undefined && t.operator === "Exists")) &&
      (t.effect === undefined || t.effect === "NoSchedule"),
  );
}

function selectsGpuNodes(pod: Props): boolean {
  if (pod.nodeSelector?.[GPU_NODE_LABEL] === "true") return true;
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.some((term: Props) => (term.matchExpressions ?? []).some((e: Props) => e.key === GPU_NODE_LABEL));
}

export const gpuPolicies: AiMeshPolicy[] = [
  resourcePolicy({
    name: "gpu-node-group-nvidia",
    description: "GPU node groups use an NVIDIA AMI and carry the nvidia.com/gpu NO_SCHEDULE taint.",
    remediationSteps:
      'Use amiType AL2023_x86_64_NVIDIA or BOTTLEROCKET_x86_64_NVIDIA and taint { key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }.',
    enforcementLevel: "mandatory",
    types: [NODE_GROUP],
    validate: (props, args, report) => {
      if (!isGpuGroup(props)) return;
      if (!(NVIDIA_AMI_TYPES as readonly string[]).includes(props.amiType)) {
        report(`GPU node group ${args.name} uses amiType ${props.amiType ?? "(default)"}, not an NVIDIA AMI.`);
      }
      const tainted = (props.taints ?? []).some((t: Props) => t.key === GPU_RESOURCE && t.effect === "NO_SCHEDULE");
      if (!tainted) report(`GPU node group ${args.name} lacks the nvidia.com/gpu NO_SCHEDULE taint.`);
    },
  }),
  resourcePolicy({
    name: "gpu-workload-scheduling",
    description: "Workloads with a GPU limit tolerate the GPU taint and select GPU nodes.",
    remediationSteps:
      'Add the toleration { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" } and nodeSelector nvidia.com/gpu.present: "true".',
    enforcementLevel: "mandatory",
    types: WORKLOAD_TYPES,
    validate: (props, _args, report) => {
      const pod = podSpec(props);
      if (!pod || !gpuLimit(pod)) return;
      if (!toleratesGpuTaint(pod))
        report(`${props.kind} ${objectName(props)} requests GPUs but does not tolerate the nvidia.com/gpu taint.`);
      if (!selectsGpuNodes(pod))
        report(`${props.kind} ${objectName(props)} requests GPUs but does not select GPU nodes.`);
    },
  }),
  resourcePolicy({
    name: "gpu-node-group-max-size",
    description: "GPU node groups stay within a cost cap.",
    remediationSteps: "Lower scalingConfig.maxSize, or raise maxGpuNodes in the policy config after a cost review.",
    enforcementLevel: "advisory",
    configSchema: { properties: { maxGpuNodes: { type: "integer", minimum: 0, default: 8 } } },
    types: [NODE_GROUP],
    validate: (props, args, report) => {
      const { maxGpuNodes } = args.getConfig<{ maxGpuNodes: number }>();
      const max = props.scalingConfig?.maxSize;
      if (isGpuGroup(props) && max > maxGpuNodes)
        report(`GPU node group ${args.name} can grow to ${max} nodes, above the cap of ${maxGpuNodes}.`);
    },
  }),
  resourcePolicy({
    name: "karpenter-gpu-nodepool-tainted-and-capped",
    description:
      "Karpenter GPU NodePools taint their nodes nvidia.com/gpu:NoSchedule, label them nvidia.com/gpu.present, and cap GPUs in limits.",
    remediationSteps:
      'Add the taint { key: "nvidia.com/gpu", effect: "NoSchedule" }, the label nvidia.com/gpu.present: "true", and limits["nvidia.com/gpu"] (the cost ceiling).',
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxGpus: { type: "integer", minimum: 0, default: 16 } } },
    types: [NODE_POOL],
    validate: (props, args, report) => {
      const spec = props.spec ?? {};
      if (!isGpuNodePool(spec)) return;
      const name = objectName(props);
      const taints: Props[] = spec.template?.spec?.taints ?? [];
      if (!taints.some((t) => t.key === GPU_RESOURCE && t.effect === "NoSchedule"))
        report(`GPU NodePool ${name} does not taint its nodes nvidia.com/gpu:NoSchedule.`);
      if (spec.template?.metadata?.labels?.[GPU_NODE_LABEL] !== "true")
        report(`GPU NodePool ${name} does not label its nodes ${GPU_NODE_LABEL}=true.`);
      const limit = spec.limits?.[GPU_RESOURCE];
      const { maxGpus } = args.getConfig<{ maxGpus: number }>();
      if (limit === undefined) report(`GPU NodePool ${name} has no nvidia.com/gpu limit: nothing caps its cost.`);
      else if (Number(limit) > maxGpus)
        report(`GPU NodePool ${name} may launch ${limit} GPUs, above the cap of ${maxGpus}.`);
    },
  }),
];
