// NVIDIA GPUs on EKS: the facts the program and the policy pack share (see README.md here).

/** The extended resource the NVIDIA device plugin advertises; GPUs go in `limits`. */
export const GPU_RESOURCE = "nvidia.com/gpu";
/** The node label GPU nodes carry; the device plugin and GPU pods select it. */
export const GPU_NODE_LABEL = "nvidia.com/gpu.present";

/** EC2 instance families with NVIDIA GPUs, by CPU architecture (g4ad is AMD, so it is not here). */
export const NVIDIA_GPU_FAMILIES: Readonly<Record<string, "x86_64" | "arm64">> = {
  g4dn: "x86_64",
  g5: "x86_64",
  g5g: "arm64",
  g6: "x86_64",
  g6e: "x86_64",
  gr6: "x86_64",
  p3: "x86_64",
  p3dn: "x86_64",
  p4d: "x86_64",
  p4de: "x86_64",
  p5: "x86_64",
  p5e: "x86_64",
  p5en: "x86_64",
  "p6-b200": "x86_64",
};

/** EKS AMI types with NVIDIA drivers. */
export const NVIDIA_AMI_TYPES = [
  "AL2023_x86_64_NVIDIA",
  "AL2023_ARM_64_NVIDIA",
  "BOTTLEROCKET_x86_64_NVIDIA",
  "BOTTLEROCKET_ARM_64_NVIDIA",
] as const;

/** "g5.xlarge" → "g5". */
export function instanceFamily(instanceType: string): string {
  return instanceType.split(".")[0];
}

export function isNvidiaGpuInstanceType(instanceType: string): boolean {
  return Object.hasOwn(NVIDIA_GPU_FAMILIES, instanceFamily(instanceType));
}
