// The model table: each known model's architecture as its config.json on the Hugging Face hub states
// it (num_hidden_layers, num_attention_heads, num_key_value_heads, hidden_size / num_attention_heads,
// max_position_embeddings, vocab_size, hidden_size, tie_word_embeddings; parameters from the model card). The GPU memory, KV-cache and
// tensor-parallel checks compute from these facts; a model not in the table states them in config.

export interface ModelArchitecture {
  /** Billions of parameters: the weights take this × bytes per parameter. */
  parametersBillions: number;
  /** Transformer layers; each keeps its own K and V per token. */
  layers: number;
  attentionHeads: number;
  /** Key/value heads (grouped-query attention shares each among several attention heads). */
  kvHeads: number;
  headDim: number;
  /** The longest context the model was trained for: vLLM refuses a longer maxModelLen. */
  contextLength: number;
  /** vocab_size × hidden_size is the embedding table (and lm_head, unless tied): fp8 leaves them 16-bit. */
  vocabSize: number;
  hiddenSize: number;
  /** tie_word_embeddings: lm_head shares the embedding table. */
  tiedEmbeddings: boolean;
}

const llama = (
  parametersBillions: number,
  layers: number,
  attentionHeads: number,
  hiddenSize: number,
  tiedEmbeddings: boolean,
  headDim = 128,
) => ({
  parametersBillions,
  layers,
  attentionHeads,
  kvHeads: 8,
  headDim,
  contextLength: 131072,
  vocabSize: 128256,
  hiddenSize,
  tiedEmbeddings,
});

/** Keyed by hub repository; a service whose model.source or model.name is a key needs no `architecture`. */
export const MODEL_ARCHITECTURES: Readonly<Record<string, ModelArchitecture>> = {
  "meta-llama/Llama-3.1-8B-Instruct": llama(8.03, 32, 32, 4096, false),
  "meta-llama/Llama-3.1-70B-Instruct": llama(70.6, 80, 64, 8192, false),
  "meta-llama/Llama-3.2-1B-Instruct": llama(1.24, 16, 32, 2048, true, 64),
  "meta-llama/Llama-3.2-3B-Instruct": llama(3.21, 28, 24, 3072, true),
  "Qwen/Qwen2.5-7B-Instruct": {
    parametersBillions: 7.62,
    layers: 28,
    attentionHeads: 28,
    kvHeads: 4,
    headDim: 128,
    contextLength: 32768,
    vocabSize: 152064,
    hiddenSize: 3584,
    tiedEmbeddings: false,
  },
  "mistralai/Mistral-7B-Instruct-v0.3": {
    parametersBillions: 7.25,
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    contextLength: 32768,
    vocabSize: 32768,
    hiddenSize: 4096,
    tiedEmbeddings: false,
  },
};

/** Parameters outside the linear layers: the embedding table, and lm_head unless it is tied to it. */
export function embeddingParameters(arch: ModelArchitecture): number {
  return arch.vocabSize * arch.hiddenSize * (arch.tiedEmbeddings ? 1 : 2);
}

export const KNOWN_MODELS = Object.keys(MODEL_ARCHITECTURES);

/** The architecture a model names (a table key), states inline, or is known by (its source, then its name). */
export function resolveArchitecture(model: {
  name: string;
  source: string;
  architecture?: string | ModelArchitecture;
}): ModelArchitecture | undefined {
  const { architecture } = model;
  if (typeof architecture === "object") return architecture;
  const key = architecture ?? [model.source, model.name].find((k) => Object.hasOwn(MODEL_ARCHITECTURES, k));
  return key !== undefined && Object.hasOwn(MODEL_ARCHITECTURES, key) ? MODEL_ARCHITECTURES[key] : undefined;
}
