// Does the stack fit its nodes? Each pod against the node types its pools can launch, and demand at
// minimum and at maximum replicas against each pool. At minimum a shortfall is an error (those pods
// would stay Pending and `pulumi up` would time out); at maximum it is shown (the HPA could not reach
// its max). Load (Little's law) per version against replicas and rate limits. Pure: config in, report out.
import { isLlm, type RootConfig } from "../config";
import type { Problem } from "../core/problems";
import { nodeOverhead, podDemand, type PodGroup } from "./demand";
import { modelFits, type ModelFit } from "./gpuMemory";
import { versionLoads } from "./load";
import { nodePools, type NodeShape, type Pool, type Resources } from "./pools";
import { count } from "../core/plural";
import { formatCpu, formatMemory } from "../core/quantity";

export interface CapacityRow {
  pool: string;
  provisioner: string;
  capacity: Resources;
  atMin: Resources;
  atMax: Resources;
  fitsMin: boolean;
  fitsMax: boolean;
  arithmetic: string;
}

export interface LoadRow {
  service: string;
  version: string;
  /** Percent of peak requests the version gets (its weight, plus its copies as mirror target). */
  sharePercent: number;
  inFlight: number;
  replicasNeeded: number;
  replicasMax: number;
  maxRequests: number;
  maxPendingRequests: number;
  working: string;
}

export interface CapacityReport {
  rows: CapacityRow[];
  load: LoadRow[];
  /** Each vLLM model against the GPUs it can get (EKS; an existing cluster's GPUs are unknown). */
  models: ModelFit[];
  problems: Problem[];
  /** Why nothing was checked, when nothing could be. */
  note?: string;
}

function total(list: Resources[]): Resources {
  return list.reduce((sum, r) => ({ cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory, gpus: sum.gpus + r.gpus }), {
    cpu: 0,
    memory: 0,
    gpus: 0,
  });
}

/** What the pods request together, at their minimum or maximum replicas. */
function sum(pods: PodGroup[], at: "min" | "max"): Resources {
  return total(pods.map((p) => ({ cpu: p.cpu * p[at], memory: p.memory * p[at], gpus: p.gpu * p[at] })));
}

const fits = (need: Resources, have: Resources) =>
  need.cpu <= have.cpu && need.memory <= have.memory && need.gpus <= have.gpus;

const describe = (r: Resources) =>
  `${formatCpu(r.cpu)}, ${formatMemory(r.memory)}${r.gpus ? `, ${count(r.gpus, "GPU")}` : ""}`;

/** "services.objectDetector v2" → "services.objectDetector" (the config key, for a problem's path). */
const configKey = (source: string) => source.split(" ")[0];

interface Dimension {
  /** Which of the pod's keys sets it. */
  key: keyof PodGroup["keys"];
  of: (r: Resources) => number;
  show: (n: number) => string;
}
const DIMENSIONS: Dimension[] = [
  { key: "gpu", of: (r) => r.gpus, show: (n) => count(n, "GPU") },
  { key: "memory", of: (r) => r.memory, show: formatMemory },
  { key: "cpu", of: (r) => r.cpu, show: formatCpu },
];

/**
 * Why no node of these pools can take one pod: the first request (GPUs, then memory, then CPU) that
 * no launchable type meets, with the biggest type that can come and the types a limit rules out.
 */
function unmetRequest(pod: PodGroup, pools: Pool[], need: Resources): Problem {
  let shapes = pools.flatMap((p) => p.launchable);
  let dimension = DIMENSIONS[DIMENSIONS.length - 1];
  for (const d of DIMENSIONS) {
    const enough = shapes.filter((s) => d.of(s.forPods) >= d.of(need));
    if (enough.length === 0) {
      dimension = d;
      break;
    }
    shapes = enough;
  }
  const best = (list: NodeShape[]) =>
    list.reduce((a, b) => (dimension.of(b.forPods) > dimension.of(a.forPods) ? b : a));
  const details = pools.map((pool) => {
    const most = pool.launchable.length > 0 ? best(pool.launchable) : undefined;
    const ruledOut = pool.overLimit.filter((s) => fits(need, s.forPods));
    return (
      `${pool.configPath} can launch at most ${most ? `${dimension.show(dimension.of(most.forPods))} for pods (${most.type})` : "nothing"}` +
      (ruledOut.length > 0
        ? `; ${ruledOut.map((s) => s.type).join(", ")} would hold it, but one such node exceeds the NodePool's ${ruledOut[0].limit}`
        : "")
    );
  });
  return {
    path: pod.keys[dimension.key],
    message: `one pod of ${configKey(pod.source)} needs ${describe(need)} (sidecar included); no node its pool can launch has ${dimension.show(dimension.of(need))} for it: ${details.join("; ")}`,
  };
}

/** Every pod must fit some node type its pools can launch within their limits; one problem per service. */
function podFitProblems(pods: PodGroup[], pools: Pool[]): Problem[] {
  const reported = new Set<string>();
  return pods.flatMap((pod) => {
    const candidates = pools.filter((p) => p.hosts.includes(pod.placement));
    const need = { cpu: pod.cpu, memory: pod.memory, gpus: pod.gpu };
    if (candidates.some((p) => p.launchable.some((s) => fits(need, s.forPods)))) return [];
    // Versions of a service share their pod size: one problem, at the key that sets it.
    if (reported.has(configKey(pod.source))) return [];
    reported.add(configKey(pod.source));
    return [unmetRequest(pod, candidates, need)];
  });
}

function gpuProblems(pods: PodGroup[], pool: Pool): Problem[] {
  const gpuPods = pods.filter((p) => p.placement === "gpu");
  const needed = sum(gpuPods, "min").gpus;
  if (needed <= pool.capacity.gpus) return [];
  const services = [...new Set(gpuPods.map((p) => configKey(p.source)))];
  const each = gpuPods.map((p) => `${p.source.replace(/^services\./, "")} ${p.min} × ${p.gpu}`).join(", ");
  return [
    {
      path: services.join(", "),
      message: `${count(needed, "GPU")} needed at minimum replicas (${each}), ${pool.configPath} allows at most ${pool.capacity.gpus} (${pool.arithmetic})`,
    },
  ];
}

function cpuProblems(pods: PodGroup[], pools: Pool[]): Problem[] {
  const cpuPools = pools.filter((p) => p.hosts.includes("cpu"));
  const have = { ...total(cpuPools.map((p) => p.capacity)), gpus: 0 };
  const cpuPods = pods.filter((p) => p.placement !== "gpu");
  const need = sum(cpuPods, "min");
  if (need.cpu <= have.cpu && need.memory <= have.memory) return [];
  const biggest = cpuPods
    .sort((a, b) => b.cpu * b.min - a.cpu * a.min)
    .slice(0, 3)
    .map((p) => `${p.source} ${p.min} × ${formatCpu(p.cpu)}`);
  return [
    {
      path: cpuPools.map((p) => p.configPath).join(", "),
      message: `pods need ${describe(need)} at minimum replicas (most: ${biggest.join(", ")}), the nodes hold ${describe(have)} for pods (${cpuPools.map((p) => p.arithmetic).join("; ")})`,
    },
  ];
}

/** Pods pinned to the system nodes (Karpenter, metrics-server) must fit there alone. */
function systemProblems(pods: PodGroup[], pools: Pool[]): Problem[] {
  const system = pools.find((p) => p.name === "system")!;
  const need = sum(
    pods.filter((p) => p.placement === "system"),
    "min",
  );
  if (fits(need, system.capacity)) return [];
  return [
    {
      path: system.configPath,
      message: `pods pinned to the system nodes need ${describe(need)}, the group holds ${describe(system.capacity)} for pods (${system.arithmetic})`,
    },
  ];
}

function row(label: string, pools: Pool[], pods: PodGroup[]): CapacityRow {
  const capacity = total(pools.map((p) => p.capacity));
  const atMin = sum(pods, "min");
  const atMax = sum(pods, "max");
  return {
    pool: label,
    provisioner: [...new Set(pools.map((p) => p.provisioner))].join(" + "),
    capacity,
    atMin,
    atMax,
    fitsMin: fits(atMin, capacity),
    fitsMax: fits(atMax, capacity),
    arithmetic: pools.map((p) => `${p.configPath}: ${p.arithmetic}`).join("; "),
  };
}

/** Replicas and rate limits against each version's share of the peak. */
function loadCheck(config: RootConfig): { rows: LoadRow[]; problems: Problem[] } {
  const rows: LoadRow[] = [];
  const problems: Problem[] = [];
  for (const service of config.services.list) {
    if (isLlm(service) || !service.load) continue;
    const loads = versionLoads({ ...service, load: service.load });
    for (const v of loads) {
      rows.push({
        service: service.key,
        version: v.version,
        sharePercent: Math.round(v.share * 1000) / 10,
        inFlight: v.sizing.inFlight,
        replicasNeeded: v.sizing.replicas,
        replicasMax: v.replicasMax,
        maxRequests: v.sizing.maxRequests,
        maxPendingRequests: v.sizing.maxPendingRequests,
        working: v.sizing.working,
      });
      if (v.replicasMax < v.sizing.replicas) {
        const whose =
          loads.length === 1 ? "the load needs at peak" : `${v.version} needs for its ${v.share * 100} % of peak`;
        problems.push({
          path: v.maxKey,
          message: `${v.replicasMax} is below the ${v.sizing.replicas} replicas ${whose} (${v.sizing.working})`,
        });
      }
    }
    const limit = service.rateLimit?.requestsPerSecond;
    // The limit is per pod: at peak each of a version's pods takes its share divided among them.
    const busiest = loads
      .filter((v) => v.sizing.replicas > 0)
      .map((v) => ({ v, perPod: (service.load!.peakRps * v.share) / v.sizing.replicas }))
      .sort((a, b) => b.perPod - a.perPod)[0];
    if (limit !== undefined && busiest && busiest.perPod > limit) {
      const { v, perPod } = busiest;
      problems.push({
        path: `services.${service.key}.rateLimit.requestsPerSecond`,
        message:
          `${limit} per pod is below the ${Math.ceil(perPod)} rps each of ${v.version}'s ${v.sizing.replicas} pods takes at peak ` +
          `(load.peakRps ${service.load.peakRps} × ${v.share * 100} % / ${v.sizing.replicas}); raise it, or the peak is answered with 429s`,
      });
    }
  }
  return { rows, problems };
}

export function capacityReport(config: RootConfig, gpuNodes: boolean): CapacityReport {
  const load = loadCheck(config);
  if (config.cluster.mode !== "eks") {
    return {
      rows: [],
      load: load.rows,
      models: [],
      problems: load.problems,
      note: "existing cluster: its nodes are not known to the program, so pods are not checked against them",
    };
  }
  const overheads = nodeOverhead(config, gpuNodes);
  const pods = podDemand(config, gpuNodes);
  const pools = nodePools(config, overheads);
  const gpuPool = pools.find((p) => p.name === "gpu")!;
  const cpuPools = pools.filter((p) => p.name !== "gpu");
  const models = modelFits(config);
  return {
    rows: [
      row(
        cpuPools.map((p) => p.name).join(" + "),
        cpuPools,
        pods.filter((p) => p.placement !== "gpu"),
      ),
      row(
        "gpu",
        [gpuPool],
        pods.filter((p) => p.placement === "gpu"),
      ),
    ],
    load: load.rows,
    models: models.fits,
    problems: [
      ...load.problems,
      ...models.problems,
      ...podFitProblems(pods, pools),
      ...gpuProblems(pods, gpuPool),
      ...systemProblems(pods, pools),
      ...cpuProblems(pods, pools),
    ],
  };
}
