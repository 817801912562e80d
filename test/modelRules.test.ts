// What vLLM v0.24.0 refuses at start, refused when the config is read, from the model table's
// architecture facts: a tensor-parallel size that does not split the heads
// (vllm/config/model.py verify_with_parallel_config, vllm/model_executor/layers/linear.py), a
// context longer than the model's (vllm/config/model.py _get_and_verify_max_len), a KV-cache budget
// without room for one maxModelLen sequence (vllm/v1/core/kv_cache_utils.py
// check_enough_kv_cache_memory), and the budget handed over as --kv-cache-memory-bytes
// (vllm/engine/arg_utils.py, vllm/config/cache.py: per GPU, in bytes).
import { parseConfig } from "../components/config";
import { kvSizing, tensorParallelSizes } from "../components/config/kvCache";
import { MODEL_ARCHITECTURES } from "../components/config/models";
import { vllmArgs } from "../components/inference/modelServer";
import { configProblems, devRawWith, llmServiceOf } from "./support/configFixtures";

const LLAMA_8B = MODEL_ARCHITECTURES["meta-llama/Llama-3.1-8B-Instruct"];
const chatOf = (raw: Record<string, unknown>) => llmServiceOf(parseConfig(raw), "chat");
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("the model's architecture", () => {
  it("gives Llama-3.1-8B 128 KiB of KV cache per token in bfloat16: 32 layers × 8 KV heads × 128 × 2 × 2 bytes", () => {
    const kv = kvSizing(LLAMA_8B, { dtype: "bfloat16", tensorParallelSize: 1, maxModelLen: 131072, kvCacheGiB: 3 });
    expect(kv.bytesPerToken).toBe(128 * 1024);
    expect([kv.sequenceGiB, kv.tokens, kv.sequences]).toEqual([16, 24576, 0]);
    // fp8 quantizes the weights only: the KV cache stays 16-bit. float32 doubles it.
    expect(
      kvSizing(LLAMA_8B, { dtype: "fp8", tensorParallelSize: 1, maxModelLen: 8192, kvCacheGiB: 3 }).bytesPerToken,
    ).toBe(128 * 1024);
    expect(
      kvSizing(LLAMA_8B, { dtype: "float32", tensorParallelSize: 1, maxModelLen: 8192, kvCacheGiB: 3 }).sequences,
    ).toBe(1);
  });

  it("splits the KV heads over tensor-parallel ranks, and replicates them past the head count", () => {
    const at = (tensorParallelSize: number) =>
      kvSizing(LLAMA_8B, { dtype: "bfloat16", tensorParallelSize, maxModelLen: 8192, kvCacheGiB: 4 });
    // Two GPUs hold 4 KV heads each: the same 4 GiB over two GPUs holds the same tokens.
    expect([at(2).bytesPerTokenPerGpu, at(2).tokens]).toEqual([64 * 1024, 32768]);
    const qwen = MODEL_ARCHITECTURES["Qwen/Qwen2.5-7B-Instruct"];
    // 4 KV heads over 8 ranks: each GPU keeps one (replicated), so 8 GPUs hold what 4 would.
    const eight = kvSizing(qwen, { dtype: "bfloat16", tensorParallelSize: 8, maxModelLen: 8192, kvCacheGiB: 4 });
    expect(eight.bytesPerTokenPerGpu).toBe(28 * 128 * 2 * 2);
    expect(tensorParallelSizes(LLAMA_8B)).toEqual([1, 2, 4, 8]);
    // 28 attention heads: 8 does not divide them.
    expect(tensorParallelSizes(qwen)).toEqual([1, 2, 4]);
  });

  it("refuses tensorParallelSize 3 for a model of 32 attention heads", () => {
    const raw = devRawWith((r) => (r.services.chat.model.tensorParallelSize = 3));
    expect(configProblems(raw)).toEqual([
      "services.chat.model.tensorParallelSize: is 3, but vLLM splits the model's 32 attention heads and 8 KV heads evenly over the GPUs; allowed: 1, 2, 4, 8",
    ]);
  });

  it("refuses maxModelLen 131072 with a 3 GiB KV cache: one sequence needs 16 GiB", () => {
    const raw = devRawWith((r) => (r.services.chat.model.maxModelLen = 131072));
    expect(configProblems(raw)).toEqual([
      "services.chat.model.kvCacheGiB: is 3, but one maxModelLen 131072 sequence needs 16 GiB of KV cache at 128 KiB per token " +
        "(32 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) and 3 GiB holds 24576 tokens; allowed: kvCacheGiB 16 or more, or maxModelLen 24576 or less",
    ]);
  });

  it("refuses a context longer than the model's", () => {
    const raw = devRawWith((r) => Object.assign(r.services.chat.model, { maxModelLen: 262144, kvCacheGiB: 40 }));
    expect(configProblems(raw)).toContain(
      "services.chat.model.maxModelLen: is 262144, but the model's context is 131072 tokens (max_position_embeddings); allowed: up to 131072",
    );
  });

  it("points a stack that still sets model.parametersBillions at model.architecture", () => {
    const old = devRawWith((r) => (r.services.chat.model.parametersBillions = 8));
    expect(configProblems(old)).toEqual([
      'services.chat.model: "parametersBillions" is not a key of model: parametersBillions now goes under model.architecture, ' +
        "which takes a model of the table (meta-llama/Llama-3.1-8B-Instruct, meta-llama/Llama-3.1-70B-Instruct, " +
        "meta-llama/Llama-3.2-1B-Instruct, meta-llama/Llama-3.2-3B-Instruct, Qwen/Qwen2.5-7B-Instruct, mistralai/Mistral-7B-Instruct-v0.3) " +
        "or { parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, vocabSize, hiddenSize, tiedEmbeddings } " +
        "from the model's config.json; a model of the table needs none",
    ]);
    const typo = devRawWith((r) => (r.services.chat.model.dtyp = "fp8"));
    expect(configProblems(typo)).toEqual([
      'services.chat.model: "dtyp" is not a key of model; allowed: name, source, revision, architecture, dtype, ' +
        "tensorParallelSize, maxModelLen, gpuMemoryUtilization, kvCacheGiB, tokenSecret, server",
    ]);
  });

  it("needs the architecture of a model the table does not know, and takes it inline", () => {
    const unknown = devRawWith((r) =>
      Object.assign(r.services.chat.model, { name: "chat-13b", source: "acme/chat-13b" }),
    );
    expect(configProblems(unknown)).toEqual([
      'services.chat.model.architecture: is required: "acme/chat-13b" is not in the model table (meta-llama/Llama-3.1-8B-Instruct, meta-llama/Llama-3.1-70B-Instruct, ' +
        "meta-llama/Llama-3.2-1B-Instruct, meta-llama/Llama-3.2-3B-Instruct, Qwen/Qwen2.5-7B-Instruct, mistralai/Mistral-7B-Instruct-v0.3); " +
        "name one of those or state { parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, vocabSize, hiddenSize, tiedEmbeddings } from its config.json",
    ]);
    const inline = {
      parametersBillions: 3,
      layers: 24,
      attentionHeads: 16,
      kvHeads: 4,
      headDim: 128,
      contextLength: 16384,
      vocabSize: 32000,
      hiddenSize: 2048,
      tiedEmbeddings: true,
    };
    const stated = devRawWith((r) => {
      r.services.chat.model.source = "acme/chat-3b";
      r.services.chat.model.architecture = inline;
    });
    expect(chatOf(stated).model.architecture).toEqual(inline);
    const bad = devRawWith((r) => (r.services.chat.model.architecture = "acme/chat-3b"));
    expect(configProblems(bad)).toEqual([
      "services.chat.model.architecture: must be a model of the table (meta-llama/Llama-3.1-8B-Instruct, meta-llama/Llama-3.1-70B-Instruct, " +
        "meta-llama/Llama-3.2-1B-Instruct, meta-llama/Llama-3.2-3B-Instruct, Qwen/Qwen2.5-7B-Instruct, mistralai/Mistral-7B-Instruct-v0.3) " +
        'or { parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, vocabSize, hiddenSize, tiedEmbeddings } from the model\'s config.json (got "acme/chat-3b")',
    ]);
  });

  it("refuses a version that loads a model of another architecture: every version is sized by the service's", () => {
    const raw = devRawWith(
      (r) =>
        (r.services.chat.versions[1].model = { source: "meta-llama/Llama-3.2-3B-Instruct", revision: "2".repeat(40) }),
    );
    expect(configProblems(raw)).toEqual([
      'services.chat.versions[1].model.source: is "meta-llama/Llama-3.2-3B-Instruct" (3.21B, 28 layers, 24 attention and 8 KV heads of 128), ' +
        "but the service's model is 8.03B, 32 layers, 32 attention and 8 KV heads of 128, which sizes every version; serve it as its own service",
    ]);
  });

  it("hands vLLM the KV budget per GPU in bytes, as --kv-cache-memory-bytes takes it", () => {
    const one = chatOf(devRawWith(() => undefined));
    expect(flag(vllmArgs(one, one.versions[0]), "--kv-cache-memory-bytes")).toBe(String(3 * 1024 ** 3));
    const two = chatOf(devRawWith((r) => (r.services.chat.model.tensorParallelSize = 2)));
    expect(flag(vllmArgs(two, two.versions[0]), "--kv-cache-memory-bytes")).toBe(String(1.5 * 1024 ** 3));
  });
});
