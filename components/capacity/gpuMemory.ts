// Does each model fit its GPUs? The dtype against each GPU's generation; weights (parameters × bytes
// at the dtype) plus the KV-cache budget plus vLLM's runtime per GPU, against the memory CUDA reports ×
// gpuMemoryUtilization × tensor-parallel size, on every GPU instance type the cluster can give a
// replica; and the downloaded checkpoint against the node's disk. Pure: config in, fits and problems
// out; the model server's node affinity comes from here.
import { isLlm, usesKarpenter, type EksClusterConfig, type LlmServiceConfig, type RootConfig } from "../config";
import { GIB, KV_BLOCK_TOKENS, kvSizing, tensorParallelSizes, type KvSizing } from "../config/kvCache";
import { BYTES_PER_PARAMETER, DTYPES, DTYPE_MIN_CAPABILITY, type Dtype } from "../config/llmSchema";
import { embeddingParameters, type ModelArchitecture } from "../config/models";
import { checkpoints } from "../config/modelVersions";
import type { Problem } from "../core/problems";
import { gpuNodesCacheModels } from "../cluster/modelCache";
import { GPU_MODELS, INSTANCE_TYPES, gpuModel, typesOfFamilies } from "../core/instanceTypes";
import { count } from "../core/plural";

/** CUDA context, the activation peak vLLM profiles and its CUDA graphs: per GPU, beside weights and KV cache. */
export const RUNTIME_GIB_PER_GPU = 1.5;
/** The node's root volume holds the container images too; vLLM's is about 20 GiB unpacked. */
export const IMAGE_DISK_GIB = 30;

export interface ModelFit {
  service: string;
  model: string;
  weightsGiB: number;
  kvCacheGiB: number;
  /** Tokens the KV-cache budget holds, and full maxModelLen sequences at once. */
  kvTokens: number;
  sequences: number;
  /** Weights + KV cache + runtime on every GPU of a replica. */
  needGiB: number;
  gpus: number;
  /** Instance types a replica fits on (its node affinity); empty when none does. */
  instanceTypes: string[];
  /** GiB per replica the best candidate gives vLLM (memory × utilization × GPUs). */
  bestGiB: number;
  /** What the best candidate leaves for the KV cache beside weights and runtime (unrounded). */
  kvRoomGiB: number;
  /** The checkpoint as downloaded, plus room: the cache volume's size limit. */
  cacheGiB: number;
  working: string;
}

type VllmService = LlmServiceConfig & { model: { architecture: ModelArchitecture } };

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Weights in GPU memory, and the checkpoint on disk (fp8 quantizes a 16-bit checkpoint on load). vLLM
 * v0.24.0's Fp8Config quantizes linear layers only: the embedding table and lm_head stay 16-bit.
 */
function sizes(service: VllmService): { weightsGiB: number; checkpointGiB: number } {
  const arch = service.model.architecture;
  const parameters = arch.parametersBillions * 1e9;
  const bytes = BYTES_PER_PARAMETER[service.model.dtype];
  const embeddings = service.model.dtype === "fp8" ? embeddingParameters(arch) : 0;
  const weights = (parameters - embeddings) * bytes + embeddings * 2;
  return { weightsGiB: weights / GIB, checkpointGiB: (parameters * Math.max(bytes, 2)) / GIB };
}

/** The GPU instance types the cluster can give one replica of `gpus` GPUs, with what each is. */
function candidateTypes(cluster: EksClusterConfig, gpus: number): string[] {
  const types = usesKarpenter(cluster)
    ? typesOfFamilies(cluster.gpuNodes.instanceFamilies).filter(
        (t) => INSTANCE_TYPES[t].gpus <= cluster.gpuNodes.maxGpus,
      )
    : cluster.gpuNodes.instanceTypes;
  return types.filter((t) => INSTANCE_TYPES[t]?.gpus >= gpus && gpuModel(t));
}

/** Whether vLLM runs `dtype` on the type's GPU generation. */
const runs = (type: string, dtype: Dtype) => gpuModel(type)!.computeCapability >= DTYPE_MIN_CAPABILITY[dtype];

/**
 * The cache volume a replica downloads the checkpoint into: the checkpoint plus a tenth and 1 GiB
 * (tokenizer, configs, the hub's bookkeeping). It depends on the model alone, on any cluster.
 */
export function checkpointCacheGiB(service: LlmServiceConfig): number {
  const arch = service.model.architecture;
  if (!arch) return 1;
  return Math.ceil(sizes(service as VllmService).checkpointGiB * 1.1 + 1);
}

function usableGiB(type: string, gpus: number, utilization: number): number {
  return gpuModel(type)!.memoryGiB * utilization * gpus;
}

function kvWorking(service: VllmService, kv: KvSizing): string {
  const { kvCacheGiB, maxModelLen } = service.model;
  return `KV cache ${kvCacheGiB} GiB at ${kv.working} holds ${kv.tokens} tokens: ${count(kv.sequences, "sequence")} of maxModelLen ${maxModelLen} at once`;
}

export function modelFit(service: VllmService, cluster: EksClusterConfig): ModelFit {
  const { tensorParallelSize: gpus, gpuMemoryUtilization: utilization, kvCacheGiB, dtype } = service.model;
  const { weightsGiB } = sizes(service);
  const kv = kvSizing(service.model.architecture, service.model);
  const needGiB = weightsGiB + kvCacheGiB + RUNTIME_GIB_PER_GPU * gpus;
  const candidates = candidateTypes(cluster, gpus).filter((t) => runs(t, dtype));
  const fitting = candidates.filter((t) => usableGiB(t, gpus, utilization) >= needGiB);
  const best = candidates.reduce<string | undefined>(
    (a, b) => (a && usableGiB(a, gpus, utilization) >= usableGiB(b, gpus, utilization) ? a : b),
    undefined,
  );
  const bestGiB = best ? usableGiB(best, gpus, utilization) : 0;
  return {
    service: service.key,
    model: service.model.name,
    weightsGiB: round(weightsGiB),
    kvCacheGiB,
    kvTokens: kv.tokens,
    sequences: kv.sequences,
    needGiB: round(needGiB),
    gpus,
    instanceTypes: fitting,
    bestGiB: round(bestGiB),
    kvRoomGiB: bestGiB - weightsGiB - RUNTIME_GIB_PER_GPU * gpus,
    cacheGiB: checkpointCacheGiB(service),
    working:
      `weights ${service.model.architecture.parametersBillions}B × ${BYTES_PER_PARAMETER[dtype]} bytes (${dtype}) = ${round(weightsGiB)} GiB` +
      ` + KV cache ${kvCacheGiB} GiB + runtime ${RUNTIME_GIB_PER_GPU} GiB × ${count(gpus, "GPU")} = ${round(needGiB)} GiB` +
      (best
        ? `; ${gpus} × ${gpuModel(best)!.name} (${best}) × ${utilization} gives ${round(bestGiB)} GiB`
        : `; no GPU type of cluster.gpuNodes has ${count(gpus, "GPU")} on one node`) +
      `; ${kvWorking(service, kv)}`,
  };
}

/** bfloat16 on a T4: vLLM refuses the dtype before it looks at memory. */
function dtypeProblems(service: VllmService, cluster: EksClusterConfig): Problem[] {
  const { dtype, tensorParallelSize } = service.model;
  const types = candidateTypes(cluster, tensorParallelSize);
  if (types.length === 0 || types.some((t) => runs(t, dtype))) return [];
  const gpus = [...new Set(types.map((t) => `${gpuModel(t)!.name} (${gpuModel(t)!.computeCapability})`))];
  const allowed = DTYPES.filter((d) => types.some((t) => runs(t, d)));
  return [
    {
      path: `services.${service.key}.model.dtype`,
      message: `is "${dtype}", which vLLM runs only on GPUs of compute capability ${DTYPE_MIN_CAPABILITY[dtype]} or newer, and cluster.gpuNodes gives ${gpus.join(", ")}; allowed here: ${allowed.join(", ")}, or allow newer GPUs in cluster.gpuNodes`,
    },
  ];
}

/** A smaller context when one sequence does not fit beside the weights, else a smaller budget. */
function kvAdvice(service: VllmService, fit: ModelFit): string[] {
  const kv = kvSizing(service.model.architecture, service.model);
  if (fit.kvRoomGiB < kv.sequenceGiB) {
    const blocks = Math.floor((fit.kvRoomGiB * GIB) / (kv.bytesPerTokenPerGpu * fit.gpus * KV_BLOCK_TOKENS));
    return [
      `lower maxModelLen (one sequence needs ${round(kv.sequenceGiB)} GiB of KV cache; the GPUs leave room for ${blocks * KV_BLOCK_TOKENS} tokens)`,
    ];
  }
  return service.model.kvCacheGiB > kv.sequenceGiB
    ? [`lower kvCacheGiB (one maxModelLen sequence needs ${round(kv.sequenceGiB)} GiB)`]
    : [];
}

/** What would make it fit, among what vLLM and these GPUs accept. */
function fitAdvice(service: VllmService, fit: ModelFit, cluster: EksClusterConfig): string {
  const { dtype, tensorParallelSize, architecture } = service.model;
  const advice: string[] = [];
  const widest = candidateTypes(cluster, 1).reduce((a, b) => (INSTANCE_TYPES[b].gpus > INSTANCE_TYPES[a].gpus ? b : a));
  const wider = tensorParallelSizes(architecture).filter(
    (tp) => tp > tensorParallelSize && tp <= INSTANCE_TYPES[widest].gpus,
  );
  if (wider.length > 0) {
    advice.push(
      `raise tensorParallelSize to ${wider.join(" or ")} (up to ${count(INSTANCE_TYPES[widest].gpus, "GPU")} on one node here: ${widest})`,
    );
  }
  const smaller = DTYPES.filter(
    (d) => BYTES_PER_PARAMETER[d] < BYTES_PER_PARAMETER[dtype] && candidateTypes(cluster, 1).some((t) => runs(t, d)),
  );
  if (smaller.length > 0) advice.push(`lower dtype (${smaller.join(" or ")})`);
  // When the weights and runtime alone overflow the GPUs, no KV-cache setting helps: say nothing of it.
  if (fit.kvRoomGiB > 0) advice.push(...kvAdvice(service, fit));
  advice.push("or allow larger GPUs in cluster.gpuNodes");
  return advice.join(", ");
}

function fitProblems(service: VllmService, fit: ModelFit, cluster: EksClusterConfig): Problem[] {
  if (fit.instanceTypes.length > 0) return [];
  if (candidateTypes(cluster, 1).length === 0) {
    // A GPU the table knows no memory of (g5g's T4G): nothing to size the model against.
    return [
      {
        path: `services.${service.key}.model`,
        message: `cannot be sized: the instance table knows the GPU memory of no GPU type of cluster.gpuNodes; vLLM models need one of the families ${Object.keys(GPU_MODELS).join(", ")}`,
      },
    ];
  }
  return [
    {
      path: `services.${service.key}.model`,
      message: `does not fit its GPUs: ${fit.working}; ${fitAdvice(service, fit, cluster)}`,
    },
  ];
}

/** Without the node cache, each pod downloads its checkpoint into its own emptyDir on the node's disk. */
function diskProblems(service: VllmService, fit: ModelFit, cluster: EksClusterConfig): Problem[] {
  const disk = cluster.gpuNodes.diskSizeGiB;
  if (fit.cacheGiB + IMAGE_DISK_GIB <= disk) return [];
  return [
    {
      path: "cluster.gpuNodes.diskSizeGiB",
      message: `is ${disk}, but services.${service.key} downloads a ${fit.cacheGiB} GiB checkpoint beside ${IMAGE_DISK_GIB} GiB of images; make it ${fit.cacheGiB + IMAGE_DISK_GIB} or more`,
    },
  ];
}

/**
 * With the node cache, checkpoints stay on the node after their pods go: every checkpoint the stack
 * serves (each version's weights) may end up on one GPU node, beside the images.
 */
function nodeCacheDiskProblems(services: VllmService[], fits: ModelFit[], cluster: EksClusterConfig): Problem[] {
  const disk = cluster.gpuNodes.diskSizeGiB;
  const held = services.map((s, i) => ({ key: s.key, count: checkpoints(s).length, gib: fits[i].cacheGiB }));
  const need = IMAGE_DISK_GIB + held.reduce((sum, h) => sum + h.count * h.gib, 0);
  if (need <= disk) return [];
  const list = held.map((h) => `services.${h.key} ${h.count} × ${h.gib} GiB`).join(", ");
  return [
    {
      path: "cluster.gpuNodes.diskSizeGiB",
      message: `is ${disk}, but the GPU nodes' model cache may hold every checkpoint the stack serves (${list}) beside ${IMAGE_DISK_GIB} GiB of images; make it ${need} or more`,
    },
  ];
}

/** Every vLLM service's fit on an EKS cluster (an existing cluster's GPUs are not known here). */
export function modelFits(config: RootConfig): { fits: ModelFit[]; problems: Problem[] } {
  const cluster = config.cluster;
  if (cluster.mode !== "eks") return { fits: [], problems: [] };
  // A vLLM service without an architecture was refused by the config rules already.
  const services = config.services.list
    .filter(isLlm)
    .filter((s): s is VllmService => s.model.server === "vllm" && s.model.architecture !== undefined);
  const fits = services.map((s) => modelFit(s, cluster));
  const nodeCache = gpuNodesCacheModels(cluster);
  return {
    fits,
    problems: [
      ...services.flatMap((s, i) => {
        // A dtype the GPUs cannot run is the one thing to fix: the memory arithmetic is moot.
        const dtype = dtypeProblems(s, cluster);
        return [
          ...(dtype.length ? dtype : fitProblems(s, fits[i], cluster)),
          ...(nodeCache ? [] : diskProblems(s, fits[i], cluster)),
        ];
      }),
      ...(nodeCache ? nodeCacheDiskProblems(services, fits, cluster) : []),
    ],
  };
}
