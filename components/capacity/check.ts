// Does the stack fit its nodes? Demand at minimum and at maximum replicas against each pool. At
// minimum a shortfall is an error (those pods would stay Pending and `pulumi up` would time out);
// at maximum it is shown (the HPA could not reach its max). Pure: config in, report out.
import type { RootConfig } from "../config";
import type { Problem } from "../config/rules";
import { nodeOverhead, podDemand, type PodGroup } from "./demand";
import { sizeForLoad } from "./load";
import { nodePools, type Pool, type Resources } from "./pools";
import { formatCpu, formatMemory } from "./quantity";

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
  `${formatCpu(r.cpu)}, ${formatMemory(r.memory)}${r.gpus ? `, ${r.gpus} GPU${r.gpus === 1 ? "" : "s"}` : ""}`;

/** "services.objectDetector v2" → "services.objectDetector" (the config key, for a problem's path). */
const configKey = (source: string) => source.split(" ")[0];

function podFitProblems(pods: PodGroup[], pools: Pool[]): Problem[] {
  return pods.flatMap((pod) => {
    const candidates = pools.filter((p) => p.hosts.includes(pod.placement));
    const need = { cpu: pod.cpu, memory: pod.memory, gpus: pod.gpu };
    if (candidates.some((p) => fits(need, p.largestNode))) return [];
    const biggest = candidates.map((p) => `${p.configPath} ${p.largestNode.type}: ${describe(p.largestNode)}`);
    return [
      {
        path: configKey(pod.source),
        message: `one pod of ${pod.source} needs ${describe(need)} (sidecar included), more than the largest node can give it (${biggest.join("; ")})`,
      },
    ];
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
      message: `${needed} GPUs needed at minimum replicas (${each}), ${pool.configPath} allows at most ${pool.capacity.gpus} (${pool.arithmetic})`,
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

/** Pods pinned to the system nodes (Karpenter itself) must fit there alone. */
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

function loadRows(config: RootConfig): LoadRow[] {
  return config.services.list.flatMap((service) => {
    if (!service.load) return [];
    const sizing = sizeForLoad(service.load, service.replicas.max);
    return [
      {
        service: service.key,
        inFlight: sizing.inFlight,
        replicasNeeded: sizing.replicas,
        replicasMax: service.replicas.max,
        maxRequests: sizing.maxRequests,
        maxPendingRequests: sizing.maxPendingRequests,
        working: sizing.working,
      },
    ];
  });
}

export function capacityReport(config: RootConfig, gpuNodes: boolean): CapacityReport {
  const load = loadRows(config);
  if (config.cluster.mode !== "eks") {
    return {
      rows: [],
      load,
      problems: [],
      note: "existing cluster: its nodes are not known to the program, so pods are not checked against them",
    };
  }
  const overheads = nodeOverhead(config, gpuNodes);
  const pods = podDemand(config, gpuNodes);
  const pools = nodePools(config, overheads);
  const gpuPool = pools.find((p) => p.name === "gpu")!;
  const cpuPools = pools.filter((p) => p.name !== "gpu");
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
    load,
    problems: [
      ...podFitProblems(pods, pools),
      ...gpuProblems(pods, gpuPool),
      ...systemProblems(pods, pools),
      ...cpuProblems(pods, pools),
    ],
  };
}
