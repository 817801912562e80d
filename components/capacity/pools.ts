// What each node pool can hold for pods: a managed group at its desired size (its maximum only when
// an autoscaler is declared), a Karpenter NodePool at its limits; each node after the kubelet's
// reserve and the DaemonSets every node runs. And which node types a pool can launch at all. Pure.
import { usesKarpenter, type RootConfig } from "../config";
import { perNodeOverhead, type NodeOverhead, type Placement } from "./demand";
import { allocatable } from "./allocatable";
import { INSTANCE_TYPES, typesOfFamilies } from "../core/instanceTypes";
import { count } from "../core/plural";
import { formatCpu, formatMemory } from "../core/quantity";

export interface Resources {
  /** Millicores. */
  cpu: number;
  /** MiB. */
  memory: number;
  gpus: number;
}

/** One instance type a pool may have: what EC2 sells and what pods can request on it. */
export interface NodeShape {
  type: string;
  /** The node as EC2 sells it (what a Karpenter limit counts). */
  node: Resources;
  /** What pods can request on it: allocatable less the DaemonSets. */
  forPods: Resources;
}

export interface Pool {
  name: "system" | "general" | "gpu";
  /** The config key that shapes the pool. */
  configPath: string;
  provisioner: "managed" | "karpenter";
  /** Which pods may land there. */
  hosts: Placement[];
  /** For pods, the whole pool; Infinity where nothing caps it (a Karpenter GPU pool's CPU). */
  capacity: Resources;
  /** Every type the pool can launch, smallest first: a Karpenter type whose one node exceeds a limit is not here. */
  launchable: NodeShape[];
  /** Types left out because a single node would exceed the NodePool's limits, with the limit broken. */
  overLimit: (NodeShape & { limit: string })[];
  /** How the capacity was worked out. */
  arithmetic: string;
}

/** Karpenter's general pool is sized in node capacity; pods are counted on xlarge-shaped nodes. */
const GENERAL_NODE_SHAPE = "m6i.xlarge";

function shape(type: string, overhead: { cpu: number; memory: number }): NodeShape {
  const t = INSTANCE_TYPES[type];
  const node = allocatable(type);
  return {
    type,
    node: { cpu: t.vcpu * 1000, memory: t.memoryGiB * 1024, gpus: t.gpus },
    forPods: { cpu: node.cpu - overhead.cpu, memory: node.memory - overhead.memory, gpus: node.gpus },
  };
}

/** The node count the capacity check may count on: desired, or max when an autoscaler runs. */
function countedNodes(group: { desiredSize: number; maxSize: number; autoscaler: string }): {
  nodes: number;
  key: string;
  why: string;
} {
  return group.autoscaler === "none"
    ? { nodes: group.desiredSize, key: "desiredSize", why: "nothing scales the group (autoscaler none)" }
    : { nodes: group.maxSize, key: "maxSize", why: `${group.autoscaler} scales the group` };
}

function managedPool(
  name: "system" | "gpu",
  configPath: string,
  hosts: Placement[],
  group: { instanceTypes: string[]; desiredSize: number; maxSize: number; autoscaler: string },
  overheads: NodeOverhead[],
): Pool {
  const overhead = perNodeOverhead(overheads, name === "gpu");
  const shapes = group.instanceTypes.map((type) => shape(type, overhead)).sort((a, b) => a.forPods.cpu - b.forPods.cpu);
  // A group of mixed types may get its smallest: count that one.
  const smallest = shapes[0];
  const node = allocatable(smallest.type);
  const { nodes, key, why } = countedNodes(group);
  return {
    name,
    configPath,
    provisioner: "managed",
    hosts,
    capacity: {
      cpu: smallest.forPods.cpu * nodes,
      memory: smallest.forPods.memory * nodes,
      gpus: smallest.forPods.gpus * nodes,
    },
    launchable: shapes,
    overLimit: [],
    arithmetic:
      `${key} ${nodes} × ${smallest.type} (${formatCpu(node.cpu)}, ${formatMemory(node.memory)}` +
      `${node.gpus ? `, ${count(node.gpus, "GPU")}` : ""} allocatable, less ${formatCpu(overhead.cpu)} and ${formatMemory(overhead.memory)} of DaemonSets each; ${why})`,
  };
}

/** Splits a NodePool's types into those one node of which stays within its limits, and the rest. */
function withinLimits(
  shapes: NodeShape[],
  /** `show` writes a limit as the stack sets it. */
  limits: { key: string; of: (s: NodeShape) => number; max: number; show: (n: number) => string }[],
): Pick<Pool, "launchable" | "overLimit"> {
  const launchable: NodeShape[] = [];
  const overLimit: Pool["overLimit"] = [];
  for (const s of shapes) {
    const broken = limits.find((l) => l.of(s) > l.max);
    if (broken) overLimit.push({ ...s, limit: `${broken.key} ${broken.show(broken.max)}` });
    else launchable.push(s);
  }
  return { launchable, overLimit };
}

export function nodePools(config: RootConfig, overheads: NodeOverhead[]): Pool[] {
  const cluster = config.cluster;
  if (cluster.mode !== "eks") return [];
  const pools: Pool[] = [
    managedPool("system", "cluster.systemNodes", ["system", "cpu"], cluster.systemNodes, overheads),
  ];
  if (!usesKarpenter(cluster)) {
    pools.push(managedPool("gpu", "cluster.gpuNodes", ["gpu"], cluster.gpuNodes, overheads));
    return pools;
  }
  const gpu = cluster.gpuNodes;
  const gpuOverhead = perNodeOverhead(overheads, true);
  pools.push({
    name: "gpu",
    configPath: "cluster.gpuNodes",
    provisioner: "karpenter",
    hosts: ["gpu"],
    capacity: { cpu: Infinity, memory: Infinity, gpus: gpu.maxGpus },
    // Karpenter launches no node that would take the pool past its limit: a type with more GPUs than
    // maxGpus can never come, whatever the pods need.
    ...withinLimits(
      typesOfFamilies(gpu.instanceFamilies).map((type) => shape(type, gpuOverhead)),
      [{ key: "maxGpus", of: (s) => s.node.gpus, max: gpu.maxGpus, show: String }],
    ),
    arithmetic: `NodePool limit ${count(gpu.maxGpus, "GPU")} (${gpu.instanceFamilies.join(", ")}; Karpenter sizes each node to its pods)`,
  });
  const general = cluster.generalNodes;
  const generalOverhead = perNodeOverhead(overheads, false);
  const xlarge = INSTANCE_TYPES[GENERAL_NODE_SHAPE];
  // Limits count node capacity: as many xlarge nodes as both limits allow.
  const nodes = Math.max(
    1,
    Math.min(Math.floor(general.maxCpu / xlarge.vcpu), Math.floor(general.maxMemoryGiB / xlarge.memoryGiB)),
  );
  const perNode = shape(GENERAL_NODE_SHAPE, generalOverhead).forPods;
  pools.push({
    name: "general",
    configPath: "cluster.generalNodes",
    provisioner: "karpenter",
    hosts: ["cpu"],
    capacity: { cpu: nodes * perNode.cpu, memory: nodes * perNode.memory, gpus: 0 },
    ...withinLimits(
      typesOfFamilies(general.instanceCategories.flatMap((c) => [`${c}6i`, `${c}7i`])).map((type) =>
        shape(type, generalOverhead),
      ),
      [
        { key: "maxCpu", of: (s) => s.node.cpu, max: general.maxCpu * 1000, show: (n) => String(n / 1000) },
        {
          key: "maxMemoryGiB",
          of: (s) => s.node.memory,
          max: general.maxMemoryGiB * 1024,
          show: (n) => String(n / 1024),
        },
      ],
    ),
    arithmetic: `NodePool limits ${general.maxCpu} CPU and ${general.maxMemoryGiB} GiB ≈ ${nodes} × ${GENERAL_NODE_SHAPE} (less DaemonSets)`,
  });
  return pools;
}
