// The EC2 instance types the program knows: CPU architecture, vCPU, memory and NVIDIA GPUs as AWS
// publishes them; max pods from the EKS AMI's eni-max-pods (the VPC CNI's ENI limit); each family's
// GPU and the memory CUDA sees on it. Ground data: config validates instance types (and their
// architecture against a node group's AMI) against it, capacity works out what a node holds from it.
import { instanceFamily } from "../../policy/shared/gpu";

/** CPU architecture, as EKS AMI types name it (AL2023_x86_64_*, AL2023_ARM_64_* boot arm64). */
export type Architecture = "x86_64" | "arm64";

export interface InstanceType {
  arch: Architecture;
  vcpu: number;
  memoryGiB: number;
  gpus: number;
  maxPods: number;
}

export interface GpuModel {
  name: string;
  /**
   * Memory per GPU as CUDA reports it: torch.cuda.get_device_properties(i).total_memory, which
   * PyTorch's out-of-memory message prints ("GPU 0 has a total capacity of 22.06 GiB") and vLLM takes
   * --gpu-memory-utilization of. Below nvidia-smi's total (A10G 23028 MiB = 22.49 GiB) and EC2's
   * round number (24 GiB): the driver and ECC keep the rest.
   */
  memoryGiB: number;
  /** CUDA compute capability: which dtypes vLLM runs (config/llmSchema.ts DTYPE_MIN_CAPABILITY). */
  computeCapability: number;
}

/** The GPU of each NVIDIA family in the table (capabilities: NVIDIA's CUDA GPUs list). */
export const GPU_MODELS: Readonly<Record<string, GpuModel>> = {
  g4dn: { name: "T4", memoryGiB: 14.57, computeCapability: 7.5 },
  g5: { name: "A10G", memoryGiB: 22.06, computeCapability: 8.6 },
  g6: { name: "L4", memoryGiB: 22.03, computeCapability: 8.9 },
  g6e: { name: "L40S", memoryGiB: 44.4, computeCapability: 8.9 },
};

/** The GPU a known instance type carries, if any. */
export function gpuModel(type: string): GpuModel | undefined {
  return INSTANCE_TYPES[type]?.gpus ? GPU_MODELS[instanceFamily(type)] : undefined;
}

type Sizes = Record<string, [vcpu: number, memoryGiB: number, gpus: number, maxPods: number]>;

/** Families whose sizes share one shape: xlarge = 4 vCPU, each size doubling. */
function family(name: string, memoryPerVcpu: number, sizes: string[]): Sizes {
  const pods: Record<string, number> = { large: 29, xlarge: 58, "2xlarge": 58, "4xlarge": 234, "8xlarge": 234 };
  const vcpu: Record<string, number> = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32 };
  return Object.fromEntries(
    sizes.map((size) => [`${name}.${size}`, [vcpu[size], vcpu[size] * memoryPerVcpu, 0, pods[size]]]),
  );
}

const CPU_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"];

const X86_64: Sizes = {
  ...family("m6i", 4, CPU_SIZES),
  ...family("m7i", 4, CPU_SIZES),
  ...family("c6i", 2, CPU_SIZES),
  ...family("c7i", 2, CPU_SIZES),
  ...family("r6i", 8, CPU_SIZES),
  ...family("r7i", 8, CPU_SIZES),
  "g4dn.xlarge": [4, 16, 1, 29],
  "g4dn.2xlarge": [8, 32, 1, 29],
  "g4dn.4xlarge": [16, 64, 1, 29],
  "g4dn.8xlarge": [32, 128, 1, 58],
  "g4dn.12xlarge": [48, 192, 4, 234],
  "g5.xlarge": [4, 16, 1, 58],
  "g5.2xlarge": [8, 32, 1, 58],
  "g5.4xlarge": [16, 64, 1, 234],
  "g5.8xlarge": [32, 128, 1, 234],
  "g5.12xlarge": [48, 192, 4, 737],
  "g5.16xlarge": [64, 256, 1, 234],
  "g5.24xlarge": [96, 384, 4, 737],
  "g5.48xlarge": [192, 768, 8, 345],
  "g6.xlarge": [4, 16, 1, 58],
  "g6.2xlarge": [8, 32, 1, 58],
  "g6.4xlarge": [16, 64, 1, 234],
  "g6.8xlarge": [32, 128, 1, 234],
  "g6.12xlarge": [48, 192, 4, 234],
  "g6.16xlarge": [64, 256, 1, 737],
  "g6.24xlarge": [96, 384, 4, 737],
  "g6.48xlarge": [192, 768, 8, 737],
  "g6e.xlarge": [4, 32, 1, 58],
  "g6e.2xlarge": [8, 64, 1, 58],
  "g6e.4xlarge": [16, 128, 1, 234],
  "g6e.8xlarge": [32, 256, 1, 234],
  "g6e.12xlarge": [48, 384, 4, 292],
  "g6e.16xlarge": [64, 512, 1, 737],
  "g6e.24xlarge": [96, 768, 4, 492],
  "g6e.48xlarge": [192, 1536, 8, 492],
};

/**
 * Graviton (arm64): the Arm counterparts of the CPU families above, in the same shapes and ENI
 * limits, and g5g (one NVIDIA T4G per node up to 8xlarge, two on 16xlarge; half the memory per vCPU
 * of g5). Read from EC2's instance data as Karpenter's instance-type reference and the EKS AMI's
 * instance-info.jsonl publish it.
 */
const ARM64: Sizes = {
  ...family("m6g", 4, CPU_SIZES),
  ...family("m7g", 4, CPU_SIZES),
  ...family("c6g", 2, CPU_SIZES),
  ...family("c7g", 2, CPU_SIZES),
  ...family("r6g", 8, CPU_SIZES),
  ...family("r7g", 8, CPU_SIZES),
  "g5g.xlarge": [4, 8, 1, 58],
  "g5g.2xlarge": [8, 16, 1, 58],
  "g5g.4xlarge": [16, 32, 1, 234],
  "g5g.8xlarge": [32, 64, 1, 234],
  "g5g.16xlarge": [64, 128, 2, 737],
};

const entries = (arch: Architecture, sizes: Sizes): [string, InstanceType][] =>
  Object.entries(sizes).map(([type, [vcpu, memoryGiB, gpus, maxPods]]) => [
    type,
    { arch, vcpu, memoryGiB, gpus, maxPods },
  ]);

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = Object.fromEntries([
  ...entries("x86_64", X86_64),
  ...entries("arm64", ARM64),
]);

export function isKnownInstanceType(type: string): boolean {
  return Object.hasOwn(INSTANCE_TYPES, type);
}

/** The known types of the given families, smallest first. */
export function typesOfFamilies(families: string[]): string[] {
  return Object.keys(INSTANCE_TYPES)
    .filter((type) => families.includes(instanceFamily(type)))
    .sort((a, b) => INSTANCE_TYPES[a].vcpu - INSTANCE_TYPES[b].vcpu);
}

export const KNOWN_FAMILIES = [...new Set(Object.keys(INSTANCE_TYPES).map(instanceFamily))];

/** The known families of one architecture, in the table's order. */
export function familiesOf(arch: Architecture): string[] {
  return KNOWN_FAMILIES.filter((family) =>
    Object.keys(INSTANCE_TYPES).some((t) => instanceFamily(t) === family && INSTANCE_TYPES[t].arch === arch),
  );
}

/** The architecture an EKS AMI type boots: AL2023_ARM_64_STANDARD → arm64, AL2023_x86_64_NVIDIA → x86_64. */
export function amiArchitecture(amiType: string): Architecture {
  return amiType.includes("ARM_64") ? "arm64" : "x86_64";
}
