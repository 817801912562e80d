// Does each model fit its GPUs? Weights (parameters × bytes at the dtype) plus the KV-cache budget
// plus vLLM's runtime per GPU, against GPU memory × gpuMemoryUtilization × tensor-parallel size, on
// every GPU instance type the cluster can give a replica. And does the downloaded checkpoint fit the
// node's disk? Pure: config in, fits and problems out; the model server's node affinity comes from here.
import { isLlm, usesKarpenter, type EksClusterConfig, type LlmServiceConfig, type RootConfig } from "../config";
import { BYTES_PER_PARAMETER } from "../config/llmSchema";
import type { Problem } from "../core/problems";
import { INSTANCE_TYPES, gpuModel, typesOfFamilies } from "../core/instanceTypes";

const GIB = 1024 ** 3;
/** CUDA context, the activation peak vLLM profiles and its CUDA graphs: per GPU, beside weights and KV cache. */
export const RUNTIME_GIB_PER_GPU = 1.5;
/** The node's root volume holds the container images too; vLLM's is about 20 GiB unpacked. */
export const IMAGE_DISK_GIB = 30;

export interface ModelFit {
  service: string;
  model: string;
  weightsGiB: number;
  kvCacheGiB: number;
  /** Weights + KV cache + runtime on every GPU of a replica. */
  needGiB: number;
  gpus: number;
  /** Instance types a replica fits on (its node affinity); empty when none does. */
  instanceTypes: string[];
  /** GiB per replica the best candidate gives vLLM (memory × utilization × GPUs). */
  bestGiB: number;
  /** The checkpoint as downloaded, plus room: the cache volume's size limit. */
  cacheGiB: number;
  working: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Weights in GPU memory, and the checkpoint on disk (fp8 quantizes a 16-bit checkpoint on load). */
function sizes(service: LlmServiceConfig): { weightsGiB: number; checkpointGiB: number } {
  const parameters = service.model.parametersBillions * 1e9;
  const bytes = BYTES_PER_PARAMETER[service.model.dtype];
  return { weightsGiB: (parameters * bytes) / GIB, checkpointGiB: (parameters * Math.max(bytes, 2)) / GIB };
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

/**
 * The cache volume a replica downloads the checkpoint into: the checkpoint plus a tenth and 1 GiB
 * (tokenizer, configs, the hub's bookkeeping). It depends on the model alone, on any cluster.
 */
export function checkpointCacheGiB(service: LlmServiceConfig): number {
  return Math.ceil(sizes(service).checkpointGiB * 1.1 + 1);
}

function usableGiB(type: string, gpus: number, utilization: number): number {
  return ((gpuModel(type)!.memoryMiB * 1024 ** 2) / GIB) * utilization * gpus;
}

export function modelFit(service: LlmServiceConfig, cluster: EksClusterConfig): ModelFit {
  const { tensorParallelSize: gpus, gpuMemoryUtilization: utilization, kvCacheGiB, dtype } = service.model;
  const { weightsGiB } = sizes(service);
  const needGiB = weightsGiB + kvCacheGiB + RUNTIME_GIB_PER_GPU * gpus;
  const candidates = candidateTypes(cluster, gpus);
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
    needGiB: round(needGiB),
    gpus,
    instanceTypes: fitting,
    bestGiB: round(bestGiB),
    cacheGiB: checkpointCacheGiB(service),
    working:
      `weights ${service.model.parametersBillions}B × ${BYTES_PER_PARAMETER[dtype]} bytes (${dtype}) = ${round(weightsGiB)} GiB` +
      ` + KV cache ${kvCacheGiB} GiB + runtime ${RUNTIME_GIB_PER_GPU} GiB × ${gpus} GPU = ${round(needGiB)} GiB` +
      (best
        ? `; ${gpus} × ${gpuModel(best)!.name} (${best}) × ${utilization} gives ${round(bestGiB)} GiB`
        : `; no GPU type of cluster.gpuNodes has ${gpus} GPUs on one node`),
  };
}

function fitProblems(service: LlmServiceConfig, fit: ModelFit, cluster: EksClusterConfig): Problem[] {
  if (fit.instanceTypes.length > 0) return [];
  const path = `services.${service.key}.model`;
  const widest = candidateTypes(cluster, 1).reduce((a, b) => (INSTANCE_TYPES[b].gpus > INSTANCE_TYPES[a].gpus ? b : a));
  const advice = `raise tensorParallelSize (up to ${INSTANCE_TYPES[widest].gpus} GPUs on one node here: ${widest}), lower dtype (fp8) or kvCacheGiB, or allow larger GPUs in cluster.gpuNodes`;
  return [{ path, message: `does not fit its GPUs: ${fit.working}; ${advice}` }];
}

/** The checkpoint is downloaded into the node's disk: it must fit beside the images. */
function diskProblems(service: LlmServiceConfig, fit: ModelFit, cluster: EksClusterConfig): Problem[] {
  const disk = cluster.gpuNodes.diskSizeGiB;
  if (fit.cacheGiB + IMAGE_DISK_GIB <= disk) return [];
  return [
    {
      path: "cluster.gpuNodes.diskSizeGiB",
      message: `is ${disk}, but services.${service.key} downloads a ${fit.cacheGiB} GiB checkpoint beside ${IMAGE_DISK_GIB} GiB of images; make it ${fit.cacheGiB + IMAGE_DISK_GIB} or more`,
    },
  ];
}

/** Every vLLM service's fit on an EKS cluster (an existing cluster's GPUs are not known here). */
export function modelFits(config: RootConfig): { fits: ModelFit[]; problems: Problem[] } {
  const cluster = config.cluster;
  if (cluster.mode !== "eks") return { fits: [], problems: [] };
  const services = config.services.list.filter(isLlm).filter((s) => s.model.server === "vllm");
  const fits = services.map((s) => modelFit(s, cluster));
  return {
    fits,
    problems: services.flatMap((s, i) => [...fitProblems(s, fits[i], cluster), ...diskProblems(s, fits[i], cluster)]),
  };
}
