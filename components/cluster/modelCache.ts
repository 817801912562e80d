// The GPU nodes' model cache: which nodes get one, and the user data that creates it at boot. A
// hostPath directory is created by the kubelet as root with mode 0755, which the model servers
// (UID 10001, no privileges) could not write; the node makes it theirs before the kubelet starts.
import type { RootConfig } from "../config";
import { MODEL_CACHE_HOST_PATH, PLATFORM_UID } from "../../policy/shared/modelCache";

export { MODEL_CACHE_HOST_PATH };

/**
 * Whether the GPU nodes carry the cache: EKS nodes booting AL2023 (every Karpenter node, a managed
 * group of an AL2023 AMI), whose cloud-init runs the shell part below. Bottlerocket's user data is
 * TOML settings, and an existing cluster's nodes are not ours: model servers there keep an emptyDir.
 */
export function gpuNodesCacheModels(cluster: RootConfig["cluster"]): boolean {
  if (cluster.mode !== "eks") return false;
  const gpuNodes = cluster.gpuNodes;
  return gpuNodes.provisioner === "karpenter" || gpuNodes.amiType.startsWith("AL2023");
}

const BOUNDARY = "AI-MESH-MODEL-CACHE";

/**
 * A MIME multi-part document with one shell part: Karpenter puts its own NodeConfig part first and
 * this one after it (its AL2023 bootstrap, nodeadm.go Script); EKS merges it into a managed group's
 * launch template. The order is harmless: nodeadm reads only NodeConfig parts, and the kubelet starts
 * after cloud-init has run the shell part. 0750: the pods' UID reads and writes, its group reads,
 * nobody else on the node looks in.
 */
export function modelCacheUserData(): string {
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    "#!/bin/bash",
    "set -euo pipefail",
    `install -d -m 0750 -o ${PLATFORM_UID} -g ${PLATFORM_UID} ${MODEL_CACHE_HOST_PATH}`,
    "",
    `--${BOUNDARY}--`,
    "",
  ].join("\n");
}
