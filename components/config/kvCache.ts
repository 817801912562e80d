// KV-cache arithmetic as vLLM v0.24.0 does it: bytes per token from the architecture, the per-GPU
// budget handed to vLLM (--kv-cache-memory-bytes), and how many full-length sequences that budget
// holds. Pure; config rules refuse what vLLM would refuse, the plan shows the sequences.
import type { ModelArchitecture } from "./models";

export const GIB = 1024 ** 3;
/** vLLM's KV block on CUDA (vllm/config/cache.py DEFAULT_BLOCK_SIZE): a sequence takes whole blocks. */
export const KV_BLOCK_TOKENS = 16;

/**
 * Bytes per element of K and V. vLLM's KV cache takes the model's dtype (--kv-cache-dtype auto);
 * fp8 quantizes the weights only, so its KV cache stays 16-bit.
 */
const KV_BYTES = { float32: 4, bfloat16: 2, float16: 2, fp8: 2 } as const;
export type KvDtype = keyof typeof KV_BYTES;

/**
 * KV heads one GPU keeps: tensor parallelism splits them, and replicates each when there are more
 * ranks than heads (vllm/model_executor/layers/linear.py QKVParallelLinear).
 */
export function kvHeadsPerGpu(arch: ModelArchitecture, tensorParallelSize: number): number {
  return Math.max(1, arch.kvHeads / tensorParallelSize);
}

/** --kv-cache-memory-bytes: the replica's kvCacheGiB spread over its GPUs, in whole bytes. */
export function kvBudgetBytesPerGpu(model: { kvCacheGiB: number; tensorParallelSize: number }): number {
  return Math.floor((model.kvCacheGiB * GIB) / model.tensorParallelSize);
}

export interface KvSizing {
  /** layers × KV heads × head dim × 2 (K and V) × dtype bytes, for the whole model. */
  bytesPerToken: number;
  /** The same on one GPU of the replica. */
  bytesPerTokenPerGpu: number;
  /** What vLLM gets on each GPU: kvCacheGiB spread over the replica's GPUs. */
  budgetBytesPerGpu: number;
  /** Tokens the budget holds. */
  tokens: number;
  /** KV cache one maxModelLen sequence needs on the replica, GiB (whole blocks). */
  sequenceGiB: number;
  /** Full maxModelLen sequences the budget holds at once. */
  sequences: number;
  /** The longest maxModelLen the budget holds one of (whole blocks). */
  longestModelLen: number;
  working: string;
}

export function kvSizing(
  arch: ModelArchitecture,
  model: { dtype: KvDtype; tensorParallelSize: number; maxModelLen: number; kvCacheGiB: number },
): KvSizing {
  const { dtype, tensorParallelSize: tp, maxModelLen } = model;
  const perHead = arch.layers * arch.headDim * 2 * KV_BYTES[dtype];
  const bytesPerToken = perHead * arch.kvHeads;
  const bytesPerTokenPerGpu = perHead * kvHeadsPerGpu(arch, tp);
  const budgetBytesPerGpu = kvBudgetBytesPerGpu(model);
  const blocks = Math.floor(budgetBytesPerGpu / (bytesPerTokenPerGpu * KV_BLOCK_TOKENS));
  const tokens = blocks * KV_BLOCK_TOKENS;
  const sequenceTokens = Math.ceil(maxModelLen / KV_BLOCK_TOKENS) * KV_BLOCK_TOKENS;
  const sequenceGiB = (sequenceTokens * bytesPerTokenPerGpu * tp) / GIB;
  return {
    bytesPerToken,
    bytesPerTokenPerGpu,
    budgetBytesPerGpu,
    tokens,
    sequenceGiB,
    sequences: Math.floor(tokens / sequenceTokens),
    longestModelLen: tokens,
    working:
      `${bytesPerToken / 1024} KiB per token (${arch.layers} layers × ${arch.kvHeads} KV heads × ${arch.headDim} head dim` +
      ` × 2 (K and V) × ${KV_BYTES[dtype]} bytes)`,
  };
}

/** Tensor-parallel sizes vLLM accepts for an architecture, up to `max` GPUs. */
export function tensorParallelSizes(arch: ModelArchitecture, max = 8): number[] {
  return Array.from({ length: max }, (_, i) => i + 1).filter(
    (tp) => arch.attentionHeads % tp === 0 && (tp >= arch.kvHeads ? tp % arch.kvHeads === 0 : arch.kvHeads % tp === 0),
  );
}
