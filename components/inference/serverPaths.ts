// Where a model server may write, and the environment that sends every writer there. The pod runs
// as UID 10001, which has no /etc/passwd entry in the vLLM image, on a read-only root filesystem:
// PyTorch asks getpass.getuser() for its cache paths (vllm-project/vllm#44548), and vLLM, PyTorch
// Inductor, Triton, FlashInfer and the hub client each default to a directory under $HOME or /tmp.
// Pure: names in, Kubernetes env and mounts out.
import type * as k8s from "@pulumi/kubernetes";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** The weights (the hub cache, an S3 copy): the model-cache volume. */
export const MODEL_DIR = "/models";
/** Compile and JIT caches, HOME and config: the pod's own cache volume. */
export const CACHE_DIR = "/cache";
export const TMP_DIR = "/tmp";
/** getpass.getuser() reads LOGNAME, USER, LNAME, USERNAME before it asks the passwd database. */
export const SERVER_USER = "vllm";

/**
 * vLLM v0.24.0 (vllm/envs.py) reads VLLM_CACHE_ROOT (torch.compile cache, FlashInfer autotune
 * cache, assets) and VLLM_CONFIG_ROOT, defaulting under XDG_CACHE_HOME / XDG_CONFIG_HOME or ~, and
 * VLLM_RPC_BASE_PATH (tempfile.gettempdir()); its compiler sets TORCHINDUCTOR_CACHE_DIR and
 * TRITON_CACHE_DIR under VLLM_CACHE_ROOT while it compiles (vllm/compilation/compiler_interface.py),
 * but PyTorch and Triton read them before that (Inductor's default is /tmp/torchinductor_<user>,
 * Triton's ~/.triton). FlashInfer 0.6.12 (flashinfer/jit/env.py) JIT-compiles under
 * FLASHINFER_WORKSPACE_BASE (default ~). The CUDA driver keeps its PTX cache under CUDA_CACHE_PATH.
 */
export function serverEnv(): EnvVar[] {
  const values: Record<string, string> = {
    USER: SERVER_USER,
    LOGNAME: SERVER_USER,
    HOME: CACHE_DIR,
    TMPDIR: TMP_DIR,
    XDG_CACHE_HOME: CACHE_DIR,
    XDG_CONFIG_HOME: `${CACHE_DIR}/config`,
    VLLM_CACHE_ROOT: `${CACHE_DIR}/vllm`,
    VLLM_CONFIG_ROOT: `${CACHE_DIR}/config/vllm`,
    VLLM_RPC_BASE_PATH: TMP_DIR,
    TORCHINDUCTOR_CACHE_DIR: `${CACHE_DIR}/torchinductor`,
    TRITON_CACHE_DIR: `${CACHE_DIR}/triton`,
    FLASHINFER_WORKSPACE_BASE: CACHE_DIR,
    CUDA_CACHE_PATH: `${CACHE_DIR}/nv`,
    HF_HOME: `${MODEL_DIR}/huggingface`,
  };
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** The writable mounts of a model server container, each a volume of the pod. */
export function serverMounts(gpu: boolean): k8s.types.input.core.v1.VolumeMount[] {
  return [
    { name: "tmp", mountPath: TMP_DIR },
    { name: "cache", mountPath: CACHE_DIR },
    { name: "model-cache", mountPath: MODEL_DIR },
    // Tensor-parallel ranks exchange activations through shared memory.
    ...(gpu ? [{ name: "dshm", mountPath: "/dev/shm" }] : []),
  ];
}
