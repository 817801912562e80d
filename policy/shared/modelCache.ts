// The model cache on GPU nodes: one directory on the node's disk where the model servers on that
// node keep downloaded weights, so a restarted or second pod loads them from disk. The program
// creates it in the GPU nodes' user data and mounts it; the policy pack allows this one hostPath.

/** Where the weights live on a GPU node (AL2023 keeps /var/lib on the root EBS volume). */
export const MODEL_CACHE_HOST_PATH = "/var/lib/ai-mesh/models";
/** The UID and GID every platform pod runs as: it owns the cache, nobody else may write it. */
export const PLATFORM_UID = 10001;
/** The pod label of a model server: the only pod that may mount the cache. */
export const MODEL_SERVER_LABEL = { "ai-mesh.io/workload": "model-server" } as const;
