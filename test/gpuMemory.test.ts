// The capacity check knows GPU memory: a model's weights at its dtype, its KV-cache budget and
// vLLM's runtime against GPU memory × gpuMemoryUtilization × tensor-parallel size, on the GPU types
// the cluster can give a replica; and its checkpoint against the node's disk. Before anything exists.
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

/** The dev stack's model made 70B, at `dtype` over `gpus` GPUs. */
const seventyB = (dtype: string, gpus = 1, families = ["g5"]) =>
  devRawWith((r) => {
    r.cluster.gpuNodes.instanceFamilies = families;
    // Room for two four-GPU replicas beside the detectors.
    r.cluster.gpuNodes.maxGpus = 16;
    Object.assign(r.services.chat.model, { parametersBillions: 70, dtype, tensorParallelSize: gpus, kvCacheGiB: 8 });
    r.cluster.gpuNodes.diskSizeGiB = 200;
  });

describe("GPU memory", () => {
  it("uses the memory CUDA reports (nvidia-smi's total), not EC2's round number", () => {
    expect(GPU_MODELS.g5).toEqual({ name: "A10G", memoryMiB: 23028 });
    expect(GPU_MODELS.g6e).toEqual({ name: "L40S", memoryMiB: 46068 });
  });

  it("fits the dev stack's 8B model on one A10G or L4, and says which types can hold it", () => {
    const chat = fit(stackRaw("dev"));
    expect(chat).toMatchObject({ weightsGiB: 15, kvCacheGiB: 3, needGiB: 19.5, gpus: 1, bestGiB: 20.2, cacheGiB: 18 });
    expect(chat.instanceTypes.slice(0, 4)).toEqual(["g5.xlarge", "g6.xlarge", "g5.2xlarge", "g6.2xlarge"]);
    // Eight-GPU nodes stay within the NodePool's maxGpus 10, so Karpenter may pick them too.
    expect(chat.instanceTypes).toContain("g5.48xlarge");
  });

  it("refuses a 70B model in fp16 on one 24 GB A10G, naming the key and the arithmetic", () => {
    expect(problems(seventyB("float16"))).toEqual([
      "services.chat.model: does not fit its GPUs: weights 70B × 2 bytes (float16) = 130.4 GiB + KV cache 8 GiB + runtime 1.5 GiB × 1 GPU = 139.9 GiB; " +
        "1 × A10G (g5.xlarge) × 0.9 gives 20.2 GiB; raise tensorParallelSize (up to 8 GPUs on one node here: g5.48xlarge), lower dtype (fp8) or kvCacheGiB, or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("fits 70B over four GPUs only where four of them hold it: fp8 on A10Gs, fp16 on L40Ss", () => {
    expect(problems(seventyB("float16", 4))).toHaveLength(1);
    const fp8 = fit(seventyB("fp8", 4));
    expect([fp8.needGiB, fp8.bestGiB]).toEqual([79.2, 81]);
    expect(fp8.instanceTypes).toEqual(["g5.12xlarge", "g5.24xlarge", "g5.48xlarge"]);
    const l40s = fit(seventyB("float16", 4, ["g5", "g6e"]));
    expect(l40s.instanceTypes).toEqual(["g6e.12xlarge", "g6e.24xlarge", "g6e.48xlarge"]);
  });

  it("counts every GPU of the replica and the utilization the model is given", () => {
    const tight = devRawWith((r) => (r.services.chat.model.gpuMemoryUtilization = 0.8));
    expect(problems(tight)).toEqual([
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (bfloat16) = 15 GiB + KV cache 3 GiB + runtime 1.5 GiB × 1 GPU = 19.5 GiB; " +
        "1 × L4 (g6.xlarge) × 0.8 gives 18 GiB; raise tensorParallelSize (up to 8 GPUs on one node here: g5.48xlarge), lower dtype (fp8) or kvCacheGiB, or allow larger GPUs in cluster.gpuNodes",
    ]);
  });

  it("checks a managed group's types: no type with enough GPUs on one node is said so", () => {
    const raw = devRawWith((r) => {
      useManagedGpus(r, { desiredSize: 6, maxSize: 6 });
      r.services.chat.model.tensorParallelSize = 2;
    });
    expect(problems(raw)).toContain(
      "services.chat.model: does not fit its GPUs: weights 8.03B × 2 bytes (bfloat16) = 15 GiB + KV cache 3 GiB + runtime 1.5 GiB × 2 GPUs = 21 GiB; " +
        "no GPU type of cluster.gpuNodes has 2 GPUs on one node; raise tensorParallelSize (up to 1 GPU on one node here: g5.xlarge), lower dtype (fp8) or kvCacheGiB, or allow larger GPUs in cluster.gpuNodes",
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
      Object.assign(r.services.chat.model, { parametersBillions: 70, dtype: "fp8", tensorParallelSize: 4 });
      r.cluster.gpuNodes.maxGpus = 16;
      r.cluster.gpuNodes.diskSizeGiB = 100;
    });
    expect(problems(raw)).toEqual([
      "cluster.gpuNodes.diskSizeGiB: is 100, but services.chat downloads a 145 GiB checkpoint beside 30 GiB of images; make it 175 or more",
    ]);
  });

  it("stops the program before any resource when a model cannot fit", async () => {
    const run = await runProgram({
      config: { "ai-mesh:services": { chat: { model: { parametersBillions: 70, dtype: "float16" } } } },
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
