// How GPU nodes are marked and how GPU pods find them (the facts come from policy/shared/gpu.ts).
import { GPU_NODE_LABEL as GPU_NODE_LABEL_KEY, GPU_RESOURCE } from "../../policy/shared/gpu";

export { GPU_RESOURCE };
export const GPU_NODE_LABEL = { [GPU_NODE_LABEL_KEY]: "true" } as const;
/** EKS spells the effect NO_SCHEDULE; Kubernetes tolerations spell it NoSchedule. */
export const GPU_TAINT = { key: GPU_RESOURCE, value: "true", effect: "NO_SCHEDULE" } as const;
export const GPU_TOLERATION = { key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" } as const;

/** Bottlerocket's NVIDIA variant ships the device plugin; AL2023's NVIDIA AMI has drivers only. */
export function shipsDevicePlugin(amiType: string): boolean {
  return amiType.startsWith("BOTTLEROCKET");
}
