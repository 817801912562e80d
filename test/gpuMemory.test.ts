// The capacity check knows GPU memory and generation: the dtype against the GPU's compute capability
// (vLLM v0.24.0 vllm/platforms/cuda.py, quantization/fp8.py), a model's weights at its dtype, its
// KV-cache budget and vLLM's runtime against the memory CUDA reports × gpuMemoryUtilization ×
// tensor-parallel size, on the GPU types the cluster can give a replica; and its checkpoint against
// the node's disk. Before anything exists.
import { capacityReport } from "../components/capacity/check";
import { ConfigError, gpuEnabled, parseConfig } from "../components/config";
import { GPU_MODELS } from "../components/core/instanceTypes";
import { runProgram } from "../plan/engine";
import { devRawWith, stackRaw, useManagedGpus, type Raw } from "./support/configFixtures";

function check(raw: Raw) {
  const config = parseConfig(raw);
  return capacityReport(config, gpuEnabled(config));
}

const problems = (raw: Raw) => check(raw).problems.map((p) => `${p.path}: ${p.message}`);
const fit = (raw: Raw) => check(raw).models.find((m) => m.service === "chat")!;

const SEVENTY_B = "meta-llama/Llama-3.1-70B-Instruct";

/** The dev stack's model made Llama 3.1 70B, at `dtype` over `gpus` GPUs. */
const seventyB = (dtype: string, gpus = 1, families = ["g5"], kvCacheGiB = 6) =>
  devRawWith((r) => {
    r.cluster.gpuNodes.instanceFamilies = families;
    // Room for two four-GPU replicas beside the detectors.
    r.cluster.gpuNodes.maxGpus = 16;
    Object.assign(r.services.chat.model, { architecture: SEVENTY_B, dtype, tensorParallelSize: gpus, kvCacheGiB });
    r.cluster.gpuNodes.diskSizeGiB = 200;
  });

/** The dev stack on `families` only, its model at `dtype`. */
const onFamilies = (families: string[], dtype?: string) =>
  devRawWith((r) => {
    r.cluster.gpuNodes.instanceFamilies = families;
    if (dtype) r.services.chat.model.dtype = dtype;
  });

describe("GPU memory", () => {
  it("uses the memory CUDA reports (torch total_memory), not nvidia-smi's or EC2's, and each GPU's generation", () => {
    expect(GPU_MODELS).toEqual({
      g4dn: { name: "T4", memoryGiB: 14.57, computeCapability: 7.5 },
      g5: { name: "A10G", memoryGiB: 22.06, computeCapability: 8.6 },
      g6: { name: "L4", memoryGiB: 22.03, computeCapability: 8.9 },
      g6e: { name: "L40S", memoryGiB: 44.4, computeCapability: 8.9 },
    });
  });

  it("fits the dev stack's 8B model on one A10G or L4, says which types can hold it and how many sequences", () => {
    const chat = fit(stackRaw("dev"));
    expect(chat).toMatchObject({ weightsGiB: 15, kvCacheGiB: 3, needGiB: 19.5, gpus: 1, bestGiB: 19.9, cacheGiB: 18 });
    // 3 GiB / 128 KiB per token = 24576 tokens: three 8192-token sequences at once.
    expect([chat.kvTokens, chat.sequences]).toEqual([24576, 3]);
    expect(chat.instanceTypes.slice(0, 4)).toEqual(["g5.xlarge", "g6.xlarge", "g5.2xlarge", "g6.2xlarge"]);
    // Eight-GPU nodes stay within the NodePool's maxGpus 10, so Karpenter may pick them too.
    expect(chat.instanceTypes).toContain("g5.48xlarge");
  });

  it("refuses a 70B model in fp16 on one 24 GB A10G, naming the key, the arithmetic and what would fit", () => {
    expect(problems(seventyB("float16"))).toEqual([
      "services.chat.model: does not fit its GPUs: weights 70.6B × 2 bytes (float16) = 131.5 GiB + KV cache 6 GiB + runtime 1.5 GiB × 1 GPU = 139 GiB; " +
        "1 × A10G (g5.xlarge) × 0.9 gives 19.9 GiB; " +
        "KV cache 6 GiB at 320 KiB per token (80 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) holds 19648 tokens: 2 sequences of maxModelLen 8192 at once; " +
        "raise tensorParallelSize to 2 or 4 or 8 (up to 8 GPUs on one node here: g5.48xlarge), lower dtype (fp8), " +
        "or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("fits 70B over four GPUs only where four of them hold it: fp8 on A10Gs, fp16 on L40Ss", () => {
    expect(problems(seventyB("float16", 4))).toHaveLength(1);
    // fp8 leaves the embeddings and lm_head 16-bit: 67.7 GiB of weights, so 6 GiB of KV cache is too much.
    expect(fit(seventyB("fp8", 4)).instanceTypes).toEqual([]);
    const fp8 = fit(seventyB("fp8", 4, ["g5"], 4));
    expect([fp8.weightsGiB, fp8.needGiB, fp8.bestGiB]).toEqual([67.7, 77.7, 79.4]);
    expect(fp8.instanceTypes).toEqual(["g5.12xlarge", "g5.24xlarge", "g5.48xlarge"]);
    const l40s = fit(seventyB("float16", 4, ["g5", "g6e"]));
    expect(l40s.instanceTypes).toEqual(["g6e.12xlarge", "g6e.24xlarge", "g6e.48xlarge"]);
  });

  it.each([
    // [model, bfloat16 GiB, fp8 GiB]: fp8 = (parameters − embeddings) × 1 + embeddings × 2 bytes, where the
    // embeddings are vocab × hidden, twice when lm_head is not tied to them.
    ["meta-llama/Llama-3.1-8B-Instruct", 15, 8.5],
    ["meta-llama/Llama-3.1-70B-Instruct", 131.5, 67.7],
    ["meta-llama/Llama-3.2-1B-Instruct", 2.3, 1.4],
    ["meta-llama/Llama-3.2-3B-Instruct", 6, 3.4],
    ["Qwen/Qwen2.5-7B-Instruct", 14.2, 8.1],
    ["mistralai/Mistral-7B-Instruct-v0.3", 13.5, 7],
  ])(
    "counts %s's embeddings (and lm_head unless tied) at 16 bits under fp8: vLLM v0.24.0 Fp8Config quantizes linear layers only",
    (architecture, bf16, fp8) => {
      const weights = (dtype: string) =>
        check(
          devRawWith((r) => {
            Object.assign(r.services.chat.model, { architecture, dtype, tensorParallelSize: 4 });
            r.cluster.gpuNodes.maxGpus = 16;
            r.cluster.gpuNodes.diskSizeGiB = 400;
          }),
        ).models.find((m) => m.service === "chat")!.weightsGiB;
      expect([weights("bfloat16"), weights("fp8")]).toEqual([bf16, fp8]);
    },
  );

  it("counts every GPU of the replica and the utilization the model is given", () => {
    const tight = devRawWith((r) => (r.services.chat.model.gpuMemoryUtilization = 0.8));
    expect(problems(tight)).toEqual([
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (bfloat16) = 15 GiB + KV cache 3 GiB + runtime 1.5 GiB × 1 GPU = 19.5 GiB; " +
        "1 × A10G (g5.xlarge) × 0.8 gives 17.6 GiB; " +
        "KV cache 3 GiB at 128 KiB per token (32 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) holds 24576 tokens: 3 sequences of maxModelLen 8192 at once; " +
        "raise tensorParallelSize to 2 or 4 or 8 (up to 8 GPUs on one node here: g5.48xlarge), lower dtype (fp8), " +
        "lower kvCacheGiB (one maxModelLen sequence needs 1 GiB), or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("refuses bfloat16 on a T4 (compute capability 7.5) as vLLM does, and advises only dtypes a T4 runs", () => {
    expect(problems(onFamilies(["g4dn"]))).toEqual([
      'services.chat.model.dtype: is "bfloat16", which vLLM runs only on GPUs of compute capability 8 or newer, and cluster.gpuNodes gives T4 (7.5); ' +
        "allowed here: float32, float16, fp8, or allow newer GPUs in cluster.gpuNodes",
    ]);
    // float16 runs on a T4: 15 GiB of weights + 3 GiB of KV cache + 1.5 GiB do not fit 14.57 × 0.9,
    // and the advice names no bfloat16.
    expect(problems(onFamilies(["g4dn"], "float16"))).toEqual([
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (float16) = 15 GiB + KV cache 3 GiB + runtime 1.5 GiB × 1 GPU = 19.5 GiB; " +
        "1 × T4 (g4dn.xlarge) × 0.9 gives 13.1 GiB; " +
        "KV cache 3 GiB at 128 KiB per token (32 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) holds 24576 tokens: 3 sequences of maxModelLen 8192 at once; " +
        "raise tensorParallelSize to 2 or 4 (up to 4 GPUs on one node here: g4dn.12xlarge), lower dtype (fp8), " +
        "or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("runs fp8 weights on a T4 (weight-only, Marlin) and bfloat16 only where the GPU has it", () => {
    // vLLM v0.24.0 quantization/fp8.py: get_min_capability() is 75.
    expect(fit(onFamilies(["g4dn"], "fp8")).instanceTypes).toContain("g4dn.xlarge");
    // Mixed families: bfloat16 goes only to the A10Gs, never to a T4.
    const mixed = fit(onFamilies(["g4dn", "g5"]));
    expect(mixed.instanceTypes).toContain("g5.xlarge");
    expect(mixed.instanceTypes.filter((t) => t.startsWith("g4dn"))).toEqual([]);
  });

  it("refuses a model whose one full-length sequence does not fit beside the weights", () => {
    const long = devRawWith((r) => Object.assign(r.services.chat.model, { maxModelLen: 131072, kvCacheGiB: 16 }));
    expect(problems(long)).toEqual([
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (bfloat16) = 15 GiB + KV cache 16 GiB + runtime 1.5 GiB × 1 GPU = 32.5 GiB; " +
        "1 × A10G (g5.xlarge) × 0.9 gives 19.9 GiB; " +
        "KV cache 16 GiB at 128 KiB per token (32 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) holds 131072 tokens: 1 sequence of maxModelLen 131072 at once; " +
        "raise tensorParallelSize to 2 or 4 or 8 (up to 8 GPUs on one node here: g5.48xlarge), lower dtype (fp8), " +
        "lower maxModelLen (one sequence needs 16 GiB of KV cache; the GPUs leave room for 27824 tokens), or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("checks a managed group's types: no type with enough GPUs on one node is said so", () => {
    const raw = devRawWith((r) => {
      useManagedGpus(r, { desiredSize: 6, maxSize: 6 });
      r.services.chat.model.tensorParallelSize = 2;
    });
    expect(problems(raw)).toContain(
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (bfloat16) = 15 GiB + KV cache 3 GiB + runtime 1.5 GiB × 2 GPUs = 21 GiB; " +
        "no GPU type of cluster.gpuNodes has 2 GPUs on one node; " +
        "KV cache 3 GiB at 128 KiB per token (32 layers × 8 KV heads × 128 head dim × 2 (K and V) × 2 bytes) holds 24576 tokens: 3 sequences of maxModelLen 8192 at once; " +
        "lower dtype (fp8), or allow larger GPUs in cluster.gpuNodes",
    );
  });

  it("never sizes a model on g5g's T4G: the config refuses an Arm GPU group first", () => {
    const raw = devRawWith((r) =>
      useManagedGpus(r, { amiType: "AL2023_ARM_64_NVIDIA", instanceTypes: ["g5g.2xlarge"] }),
    );
    expect(() => problems(raw)).toThrow(
      "cluster.gpuNodes.amiType: AL2023_ARM_64_NVIDIA boots arm64, but the GPU nodes run object-detector's CUDA image and vLLM, built for amd64 only;",
    );
  });

  it("refuses a checkpoint the GPU nodes' disks cannot hold beside the images", () => {
    const raw = devRawWith((r) => {
      Object.assign(r.services.chat.model, { architecture: SEVENTY_B, dtype: "fp8", tensorParallelSize: 4 });
      r.cluster.gpuNodes.maxGpus = 16;
      r.cluster.gpuNodes.diskSizeGiB = 100;
    });
    expect(problems(raw)).toEqual([
      "cluster.gpuNodes.diskSizeGiB: is 100, but the GPU nodes' model cache may hold every checkpoint the stack serves (services.chat 1 × 146 GiB) beside 30 GiB of images; make it 176 or more",
    ]);
  });

  it("counts every checkpoint the node cache may keep: a canary of new weights is a second one", () => {
    const raw = devRawWith((r) => {
      Object.assign(r.services.chat.model, { architecture: SEVENTY_B, dtype: "fp8", tensorParallelSize: 4 });
      r.cluster.gpuNodes.maxGpus = 16;
      r.cluster.gpuNodes.diskSizeGiB = 200;
    });
    expect(problems(raw)).toEqual([]);
    const canary = JSON.parse(JSON.stringify(raw));
    canary.services.chat.versions[1].model = { revision: "1".repeat(40) };
    expect(problems(canary)).toEqual([
      "cluster.gpuNodes.diskSizeGiB: is 200, but the GPU nodes' model cache may hold every checkpoint the stack serves (services.chat 2 × 146 GiB) beside 30 GiB of images; make it 322 or more",
    ]);
  });

  it("counts one checkpoint per pod where the pods keep their own copy (Bottlerocket: no node cache)", () => {
    const raw = devRawWith((r) => {
      useManagedGpus(r, { amiType: "BOTTLEROCKET_x86_64_NVIDIA", instanceTypes: ["g5.12xlarge"], desiredSize: 2 });
      Object.assign(r.services.chat.model, { architecture: SEVENTY_B, dtype: "fp8", tensorParallelSize: 4 });
      r.cluster.gpuNodes.diskSizeGiB = 100;
    });
    expect(problems(raw)).toContain(
      "cluster.gpuNodes.diskSizeGiB: is 100, but services.chat downloads a 146 GiB checkpoint beside 30 GiB of images; make it 176 or more",
    );
  });

  it("stops the program before any resource when a model cannot fit", async () => {
    const run = await runProgram({
      config: { "ai-mesh:services": { chat: { model: { architecture: SEVENTY_B, dtype: "float16" } } } },
    });
    expect(run.error).toBeInstanceOf(ConfigError);
    expect((run.error as ConfigError).problems.map((p) => p.path)).toEqual([
      "services.chat.model",
      "cluster.gpuNodes.diskSizeGiB",
    ]);
    expect(run.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("checks nothing on the simulator or an existing cluster (its GPUs are not known here)", () => {
    expect(check(stackRaw("local")).models).toEqual([]);
  });
});
