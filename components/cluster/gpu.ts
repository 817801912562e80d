// How nodes are marked and how GPU pods find GPU nodes (the GPU facts come from policy/shared/gpu.ts).
import { GPU_NODE_LABEL as GPU_NODE_LABEL_KEY, GPU_RESOURCE } from "../../policy/shared/gpu";

export { GPU_RESOURCE };
/** Every node carries its pool: system, gpu or general. */
export const NODE_ROLE_LABEL = "ai-mesh/node-role";
export const GPU_NODE_LABEL = { [GPU_NODE_LABEL_KEY]: "true" } as const;
/** EKS spells the effect NO_SCHEDULE; Kubernetes tolerations spell it NoSchedule. */
export const GPU_TAINT = { key: GPU_RESOURCE, value: "true", effect: "NO_SCHEDULE" } as const;
export const GPU_TOLERATION = { key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" } as const;

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
