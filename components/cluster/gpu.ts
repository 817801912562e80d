// How nodes are marked and how GPU pods find GPU nodes (the GPU facts come from policy/shared/gpu.ts).
import { GPU_NODE_LABEL, GPU_RESOURCE } from "../../policy/shared/gpu";

export { GPU_NODE_LABEL, GPU_RESOURCE };
/** Every node carries its pool: system, gpu or general. */
export const NODE_ROLE_LABEL = "ai-mesh/node-role";
/** The labels GPU nodes carry and GPU pods select (GPU_NODE_LABEL, the key, set to "true"). */
export const GPU_NODE_SELECTOR = { [GPU_NODE_LABEL]: "true" } as const;
/** The taint GPU nodes carry, as Kubernetes spells it (Karpenter's NodePools take it so). */
export const GPU_TAINT = { key: GPU_RESOURCE, value: "true", effect: "NoSchedule" } as const;
/** The same taint as the EKS API spells it for a managed node group: NO_SCHEDULE. */
export const EKS_GPU_TAINT = { ...GPU_TAINT, effect: "NO_SCHEDULE" } as const;
export const GPU_TOLERATION = { key: GPU_RESOURCE, operator: "Exists", effect: GPU_TAINT.effect } as const;

/** Bottlerocket's NVIDIA variant ships the device plugin; AL2023's NVIDIA AMI has drivers only. */
export function shipsDevicePlugin(amiType: string): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}

/** Whether the NVIDIA device plugin must be installed for these GPU nodes (Karpenter's run AL2023). */
export function needsDevicePlugin(gpuNodes: { provisioner: string; amiType?: string }): boolean {
  return gpuNodes.provisioner === "karpenter" || !shipsDevicePlugin(gpuNodes.amiType ?? "");
}

/** What the NVIDIA device plugin requests on every GPU node. */
export const DEVICE_PLUGIN_REQUESTS = { cpu: "50m", memory: "64Mi" };
