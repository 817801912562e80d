// What vLLM v0.24.0 refuses at start, refused at plan time from the model's architecture alone: a
// tensor-parallel size that does not divide the heads, a context longer than the model's, and a
// KV-cache budget that cannot hold one maxModelLen sequence. Pure: config in, problems out.
import type { Problem } from "../core/problems";
import { kvSizing, tensorParallelSizes } from "./kvCache";
import { ARCHITECTURE_KEYS } from "./llmSchema";
import { KNOWN_MODELS, MODEL_ARCHITECTURES, type ModelArchitecture } from "./models";
import type { LlmServiceConfig } from "./schema";

const round = (n: number) => Math.round(n * 10) / 10;

/** vllm/config/model.py verify_with_parallel_config; linear.py QKVParallelLinear for the KV heads. */
function tensorParallelProblems(path: string, arch: ModelArchitecture, tp: number): Problem[] {
  const allowed = tensorParallelSizes(arch);
  if (allowed.includes(tp)) return [];
  return [
    {
      path: `${path}.tensorParallelSize`,
      message: `is ${tp}, but vLLM splits the model's ${arch.attentionHeads} attention heads and ${arch.kvHeads} KV heads evenly over the GPUs; allowed: ${allowed.join(", ")}`,
    },
  ];
}

/** vllm/config/model.py _get_and_verify_max_len: no longer than the model was trained for. */
function contextProblems(path: string, arch: ModelArchitecture, maxModelLen: number): Problem[] {
  if (maxModelLen <= arch.contextLength) return [];
  return [
    {
      path: `${path}.maxModelLen`,
      message: `is ${maxModelLen}, but the model's context is ${arch.contextLength} tokens (max_position_embeddings); allowed: up to ${arch.contextLength}`,
    },
  ];
}

/** vllm/v1/core/kv_cache_utils.py check_enough_kv_cache_memory: one full-length sequence must fit. */
function kvProblems(path: string, service: LlmServiceConfig, arch: ModelArchitecture): Problem[] {
  const { model } = service;
  const kv = kvSizing(arch, model);
  if (kv.sequences >= 1) return [];
  return [
    {
      path: `${path}.kvCacheGiB`,
      message:
        `is ${model.kvCacheGiB}, but one maxModelLen ${model.maxModelLen} sequence needs ${round(kv.sequenceGiB)} GiB of KV cache at ${kv.working}` +
        ` and ${model.kvCacheGiB} GiB holds ${kv.tokens} tokens; allowed: kvCacheGiB ${Math.ceil(kv.sequenceGiB * 10) / 10} or more, or maxModelLen ${kv.longestModelLen} or less`,
    },
  ];
}

const facts = (a: ModelArchitecture) =>
  `${a.parametersBillions}B, ${a.layers} layers, ${a.attentionHeads} attention and ${a.kvHeads} KV heads of ${a.headDim}`;

/**
 * Every version is sized, placed and handed its KV budget by the service's architecture: a version
 * loading a model the table knows as another architecture would be checked against the wrong one.
 */
function versionProblems(path: string, service: LlmServiceConfig, arch: ModelArchitecture): Problem[] {
  return service.versions.flatMap((v, i): Problem[] => {
    const source = v.model?.source;
    if (!source || !Object.hasOwn(MODEL_ARCHITECTURES, source)) return [];
    const other = MODEL_ARCHITECTURES[source];
    if (JSON.stringify(other) === JSON.stringify(arch)) return [];
    return [
      {
        path: `${path}.versions[${i}].model.source`,
        message: `is "${source}" (${facts(other)}), but the service's model is ${facts(arch)}, which sizes every version; serve it as its own service`,
      },
    ];
  });
}

/** The architecture checks of a vLLM service; the simulator has no GPU memory to run out of. */
export function modelProblems(path: string, service: LlmServiceConfig): Problem[] {
  const { model } = service;
  if (model.server === "simulator") return [];
  const arch = model.architecture;
  const at = `${path}.model`;
  if (!arch) {
    return [
      {
        path: `${at}.architecture`,
        message: `is required: "${model.source}" is not in the model table (${KNOWN_MODELS.join(", ")}); name one of those or state { ${ARCHITECTURE_KEYS} } from its config.json`,
      },
    ];
  }
  const tp = tensorParallelProblems(at, arch, model.tensorParallelSize);
  return [
    ...tp,
    ...contextProblems(at, arch, model.maxModelLen),
    ...(tp.length ? [] : kvProblems(at, service, arch)),
    ...versionProblems(path, service, arch),
  ];
}
