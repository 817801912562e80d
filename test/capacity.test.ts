import { capacityReport } from "../components/capacity/check";
import { allocatable } from "../components/capacity/allocatable";
import { sizeForLoad } from "../components/capacity/load";
import { ConfigError, gpuEnabled, parseConfig } from "../components/config";
import { deploy, runProgram } from "../plan/engine";
import { MANAGED_GPUS, devRawWith, stackRaw, useManagedGpus, type Raw } from "./support/configFixtures";

function report(raw: Raw) {
  const config = parseConfig(raw);
  return capacityReport(config, gpuEnabled(config));
}

function problems(raw: Raw): string[] {
  try {
    return report(raw).problems.map((p) => `${p.path}: ${p.message}`);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
}

describe("what a node can hold", () => {
  it("takes the kubelet's reserve off EKS nodes (the simulated EKS nodes of ../shared/tools say 1930m and 3920m)", () => {
    expect(allocatable("m6i.large")).toEqual({ cpu: 1930, memory: 6944, gpus: 0, pods: 29 });
    expect(allocatable("g5.xlarge")).toEqual({ cpu: 3920, memory: 14244, gpus: 1, pods: 58 });
    expect(allocatable("g5.12xlarge")).toMatchObject({ cpu: 47810, gpus: 4, pods: 737 });
  });
});

describe("replicas from load (Little's law)", () => {
  it("200 rps at 250 ms with 8 slots per replica at 70 %: 50 in flight, 9 replicas", () => {
    expect(sizeForLoad({ peakRps: 200, latencyMs: 250, concurrency: 8, targetUtilization: 70 }, 12)).toEqual({
      inFlight: 50,
      replicas: 9,
      maxRequests: 96,
      maxPendingRequests: 96,
      working: "200 rps × 0.25 s = 50 in flight; 50 / (8 per replica × 70 %) = 8.93 → 9",
    });
  });

  it("a GPU model serving one request at a time: 10 rps at 2 s is 20 in flight, 40 replicas at 50 %", () => {
    expect(sizeForLoad({ peakRps: 10, latencyMs: 2000, concurrency: 1, targetUtilization: 50 }, 4)).toMatchObject({
      inFlight: 20,
      replicas: 40,
      maxRequests: 40,
    });
  });

  it("needs at least one replica however light the load", () => {
    expect(sizeForLoad({ peakRps: 0.1, latencyMs: 10, concurrency: 4, targetUtilization: 70 }, 2).replicas).toBe(1);
  });

  it("refuses a replicas.max below what the load needs, with the numbers", () => {
    const raw = devRawWith((r) => {
      r.services.web.load = { peakRps: 200, latencyMs: 250, concurrency: 8 };
      r.services.web.replicas = { min: 2, max: 6 };
    });
    expect(problems(raw)).toEqual([
      "services.web.replicas.max: 6 is below the 9 replicas the load needs at peak (200 rps × 0.25 s = 50 in flight; 50 / (8 per replica × 70 %) = 8.93 → 9)",
    ]);
  });
});

describe("load per version", () => {
  it("splits the peak by weight, the mirror target getting its copies, and checks each version's max", () => {
    const raw = devRawWith((r) => {
      r.services.objectDetector.load = { peakRps: 40, latencyMs: 500, concurrency: 2, targetUtilization: 50 };
    });
    const dev = report(raw);
    expect(dev.load.map((l) => [l.version, l.sharePercent, l.replicasNeeded, l.replicasMax])).toEqual([
      ["v1", 90, 18, 3],
      ["v2", 10, 2, 2],
      ["v3", 5, 1, 1],
    ]);
    expect(dev.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "services.objectDetector.replicas.max: 3 is below the 18 replicas v1 needs for its 90 % of peak (36 rps × 0.5 s = 18 in flight; 18 / (2 per replica × 50 %) = 18 → 18)",
    ]);
  });

  it("names a version's own replica range when it has one", () => {
    const raw = devRawWith((r) => {
      r.services.objectDetector.load = { peakRps: 40, latencyMs: 500, concurrency: 2, targetUtilization: 50 };
      r.services.objectDetector.replicas = { min: 1, max: 18 };
      r.services.objectDetector.versions[1].weight = 30;
      r.services.objectDetector.versions[0].weight = 70;
    });
    expect(report(raw).problems.map((p) => p.path)).toEqual(["services.objectDetector.versions[1].replicas.max"]);
  });

  it("refuses a per-pod rate limit below what each pod takes at peak", () => {
    const raw = devRawWith((r) => {
      r.services.web.load = { peakRps: 1000, latencyMs: 20, concurrency: 10 };
    });
    expect(problems(raw)).toEqual([
      "services.web.rateLimit.requestsPerSecond: 100 per pod is below the 334 rps each of v1's 3 pods takes at peak (load.peakRps 1000 × 100 % / 3); raise it, or the peak is answered with 429s",
    ]);
    const enough = devRawWith((r) => {
      r.services.web.load = { peakRps: 1000, latencyMs: 20, concurrency: 10 };
      r.services.web.rateLimit = { requestsPerSecond: 400, burst: 800 };
    });
    expect(problems(enough)).toEqual([]);
  });
});

describe("per-version replicas", () => {
  it("lets a canary and a mirror target run fewer replicas than stable", () => {
    const config = parseConfig(stackRaw("dev"));
    const detector = config.services.list.find((s) => s.key === "objectDetector")!;
    expect(detector.versions.map((v) => v.replicas)).toEqual([undefined, { min: 1, max: 2 }, { min: 1, max: 1 }]);
  });

  it("refuses a canary that needs more than stable, and a range upside down", () => {
    const raw = devRawWith((r) => {
      r.services.imageProcessor.versions[1].replicas = { min: 3, max: 4 };
      r.services.objectDetector.versions[2].replicas = { min: 2, max: 1 };
    });
    expect(problems(raw)).toEqual([
      "services.imageProcessor.versions[1].replicas: min 3 is above the stable version v1's min 2; a canary never needs more than stable",
      "services.objectDetector.versions[2].replicas: min 2 is greater than max 1",
    ]);
  });

  it("reports an upside-down service range once, at the key the stack sets, not again per version", () => {
    const raw = devRawWith((r) => (r.services.web.replicas = { min: 5, max: 2 }));
    expect(problems(raw)).toEqual(["services.web.replicas: min 5 is greater than max 2"]);
  });
});

describe("the capacity check", () => {
  it("fits the dev stack with headroom: every minimum, and every maximum too", () => {
    const dev = report(stackRaw("dev"));
    expect(dev.problems).toEqual([]);
    const [cpu, gpu] = dev.rows;
    expect([cpu.pool, cpu.provisioner, cpu.fitsMin, cpu.fitsMax]).toEqual([
      "system + general",
      "managed + karpenter",
      true,
      true,
    ]);
    expect(cpu.atMin.cpu / cpu.capacity.cpu).toBeLessThan(0.5);
    // Three detectors and two model servers at minimum; at maximum 6 detectors and 3 model servers.
    expect([gpu.atMin.gpus, gpu.atMax.gpus, gpu.capacity.gpus, gpu.fitsMax]).toEqual([5, 9, 10, true]);
  });

  it("refuses GPUs the pool can never give, naming the service, the arithmetic and the pool", async () => {
    const run = await runProgram({
      config: {
        "ai-mesh:cluster": {
          ...MANAGED_GPUS["ai-mesh:cluster"],
          gpuNodes: { ...MANAGED_GPUS["ai-mesh:cluster"].gpuNodes, maxSize: 3, desiredSize: 2 },
        },
      },
    });
    expect(run.error?.message).toBe(
      "Invalid stack config (1 problem):\n" +
        "  - services.objectDetector, services.chat: 5 GPUs needed at minimum replicas (objectDetector v1 1 × 1, objectDetector v2 1 × 1, objectDetector v3 1 × 1, chat v1 1 × 1, chat v2 1 × 1), " +
        "cluster.gpuNodes allows at most 2 (desiredSize 2 × g5.xlarge (3.92 CPU, 13.9 GiB, 1 GPU allocatable, less 400m CPU and 640 MiB of DaemonSets each; nothing scales the group (autoscaler none)))",
    );
    expect(run.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("counts a managed group at desiredSize, and at maxSize only when an autoscaler is declared", () => {
    const gpus = (group: Record<string, unknown>) =>
      report(devRawWith((r) => useManagedGpus(r, { minSize: 1, desiredSize: 3, maxSize: 5, ...group }))).rows[1]
        .capacity.gpus;
    expect(gpus({})).toBe(3);
    expect(gpus({ autoscaler: "cluster-autoscaler" })).toBe(5);
    const system = (nodes: Record<string, unknown>) =>
      report(devRawWith((r) => (r.cluster.systemNodes = { ...r.cluster.systemNodes, ...nodes }))).rows[0].arithmetic;
    expect(system({})).toContain("cluster.systemNodes: desiredSize 2 × m6i.xlarge");
    expect(system({ autoscaler: "cluster-autoscaler" })).toContain(
      "cluster.systemNodes: maxSize 4 × m6i.xlarge (3.92 CPU, 13.9 GiB allocatable, less 250m CPU and 320 MiB of DaemonSets each; cluster-autoscaler scales the group)",
    );
  });

  it("refuses CPU services that can never fit the system nodes and the general pool", () => {
    const raw = devRawWith((r) => {
      r.cluster.systemNodes = { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 1, maxSize: 1 };
      r.cluster.generalNodes = { maxCpu: 4, maxMemoryGiB: 16 };
      r.services.imageProcessor.replicas = { min: 4, max: 6 };
    });
    const [problem] = problems(raw);
    expect(problem).toMatch(
      /^cluster\.systemNodes, cluster\.generalNodes: pods need \d+(\.\d+)? CPU, [\d.]+ GiB at minimum replicas \(most: services\.imageProcessor v1 4 × 600m CPU, /,
    );
    expect(problem).toContain("the nodes hold 5.35 CPU, 20.1 GiB for pods");
    expect(problem).toContain(
      "desiredSize 1 × m6i.large (1.93 CPU, 6.8 GiB allocatable, less 250m CPU and 320 MiB of DaemonSets each; nothing scales the group (autoscaler none))",
    );
  });

  it("refuses a pod bigger than any node its pool can have, once, at the request that cannot be met", () => {
    const raw = devRawWith((r) => {
      useManagedGpus(r);
      r.services.objectDetector.replicas = { min: 1, max: 1 };
      r.services.objectDetector.versions = [{ name: "v1", image: "ghcr.io/x/detector:1.0.0", weight: 100 }];
      delete r.services.objectDetector.mirror;
      r.services.objectDetector.resources = {
        requests: { cpu: "2", memory: "20Gi" },
        limits: { cpu: "4", memory: "24Gi" },
      };
    });
    expect(problems(raw)).toEqual([
      "services.objectDetector.resources.requests.memory: one pod of services.objectDetector needs 2.1 CPU, 20.1 GiB, 1 GPU (sidecar included); no node its pool can launch has 20.1 GiB for it: cluster.gpuNodes can launch at most 13.3 GiB for pods (g5.xlarge)",
    ]);
  });

  it("honours a NodePool's GPU limit per pod: a 5-GPU pod cannot come from g5/g6 under maxGpus 6", () => {
    const raw = devRawWith((r) => {
      r.cluster.gpuNodes.maxGpus = 6;
      delete r.services.chat;
      r.services.objectDetector.gpu = 5;
      r.services.objectDetector.replicas = { min: 1, max: 1 };
      r.services.objectDetector.versions = [{ name: "v1", image: "ghcr.io/x/detector:1.0.0", weight: 100 }];
      delete r.services.objectDetector.mirror;
    });
    expect(problems(raw)).toEqual([
      "services.objectDetector.gpu: one pod of services.objectDetector needs 2.1 CPU, 8.1 GiB, 5 GPUs (sidecar included); no node its pool can launch has 5 GPUs for it: " +
        "cluster.gpuNodes can launch at most 4 GPUs for pods (g5.12xlarge); g5.48xlarge, g6.48xlarge would hold it, but one such node exceeds the NodePool's maxGpus 6",
    ]);
  });

  it("honours a NodePool's memory limit per pod: a 150 GiB pod cannot come from a 128 GiB general pool", () => {
    const raw = devRawWith((r) => {
      r.services.imageProcessor.resources = {
        requests: { cpu: "2", memory: "150Gi" },
        limits: { cpu: "4", memory: "160Gi" },
      };
    });
    const found = problems(raw);
    expect(found[0]).toBe(
      "services.imageProcessor.resources.requests.memory: one pod of services.imageProcessor needs 2.1 CPU, 150.1 GiB (sidecar included); no node its pool can launch has 150.1 GiB for it: " +
        "cluster.systemNodes can launch at most 13.6 GiB for pods (m6i.xlarge); cluster.generalNodes can launch at most 115.9 GiB for pods (r6i.4xlarge); " +
        "r6i.8xlarge, r7i.8xlarge would hold it, but one such node exceeds the NodePool's maxMemoryGiB 128",
    );
    expect(found.filter((p) => p.startsWith("services.imageProcessor.resources"))).toHaveLength(1);
  });

  it("counts metrics-server's two replicas on the system nodes, with Karpenter's", () => {
    const with_ = report(stackRaw("dev")).rows[0].atMin.cpu;
    const without = report(devRawWith((r) => (r.cluster.metricsServer = "present"))).rows[0].atMin.cpu;
    expect(with_ - without).toBe(2 * 100);
  });

  it("says why an existing cluster is not checked", () => {
    const local = report(stackRaw("local"));
    expect(local).toMatchObject({
      rows: [],
      problems: [],
      note: "existing cluster: its nodes are not known to the program, so pods are not checked against them",
    });
  });

  it("is a stack output, in millicores and MiB, with no cap as null", async () => {
    const run = await deploy();
    const capacity = run.outputs.capacity as { pools: { pool: string; capacity: unknown }[] };
    expect(capacity.pools.map((p) => [p.pool, p.capacity])).toEqual([
      ["system + general", { cpu: 36700, memory: 139240, gpus: 0 }],
      ["gpu", { cpu: null, memory: null, gpus: 10 }],
    ]);
  });
});
