// What each node pool can hold for pods: managed groups at max size, Karpenter NodePools at their
// limits, each after the kubelet's reserve and the DaemonSets every node runs. Pure.
import type { RootConfig } from "../config";
import type { NodeOverhead, Placement } from "./demand";
import { perNodeOverhead } from "./demand";
import { INSTANCE_TYPES, allocatable, typesOfFamilies } from "./instances";
import { formatCpu, formatMemory } from "./quantity";

export interface Resources {
  /** Millicores. */
  cpu: number;
  /** MiB. */
  memory: number;
  gpus: number;
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
  /** For pods, on the biggest node the pool can have. */
  largestNode: Resources & { type: string };
  /** How the capacity was worked out. */
  arithmetic: string;
}

/** Karpenter's general pool is sized in node capacity; pods are counted on xlarge-shaped nodes. */
const GENERAL_NODE_SHAPE = "m6i.xlarge";

function forPods(type: string, overhead: { cpu: number; memory: number }): Resources {
  const node = allocatable(type);
  return { cpu: node.cpu - overhead.cpu, memory: node.memory - overhead.memory, gpus: node.gpus };
}

function managedPool(
  name: "system" | "gpu",
  configPath: string,
  hosts: Placement[],
  group: { instanceTypes: string[]; maxSize: number },
  overheads: NodeOverhead[],
): Pool {
  const overhead = perNodeOverhead(overheads, name === "gpu");
  const bySize = [...group.instanceTypes].sort((a, b) => allocatable(a).cpu - allocatable(b).cpu);
  // A group of mixed types may get its smallest; the biggest bounds a single pod.
  const smallest = forPods(bySize[0], overhead);
  const largest = forPods(bySize[bySize.length - 1], overhead);
  const node = allocatable(bySize[0]);
  return {
    name,
    configPath,
    provisioner: "managed",
    hosts,
    capacity: {
      cpu: smallest.cpu * group.maxSize,
      memory: smallest.memory * group.maxSize,
      gpus: smallest.gpus * group.maxSize,
    },
    largestNode: { ...largest, type: bySize[bySize.length - 1] },
    arithmetic:
      `maxSize ${group.maxSize} × ${bySize[0]} (${formatCpu(node.cpu)}, ${formatMemory(node.memory)}` +
      `${node.gpus ? `, ${node.gpus} GPU` : ""} allocatable, less ${formatCpu(overhead.cpu)} and ${formatMemory(overhead.memory)} of DaemonSets each)`,
  };
}

export function nodePools(config: RootConfig, overheads: NodeOverhead[]): Pool[] {
  const cluster = config.cluster;
  if (cluster.mode !== "eks") return [];
  const pools: Pool[] = [
    managedPool("system", "cluster.systemNodes", ["system", "cpu"], cluster.systemNodes, overheads),
  ];
  const gpu = cluster.gpuNodes;
  if (gpu.provisioner === "managed") {
    pools.push(managedPool("gpu", "cluster.gpuNodes", ["gpu"], gpu, overheads));
    return pools;
  }
  const gpuOverhead = perNodeOverhead(overheads, true);
  const gpuTypes = typesOfFamilies(gpu.instanceFamilies);
  const biggest = gpuTypes[gpuTypes.length - 1];
  pools.push({
    name: "gpu",
    configPath: "cluster.gpuNodes",
    provisioner: "karpenter",
    hosts: ["gpu"],
    capacity: { cpu: Infinity, memory: Infinity, gpus: gpu.maxGpus },
    largestNode: { ...forPods(biggest, gpuOverhead), type: biggest },
    arithmetic: `NodePool limit ${gpu.maxGpus} GPUs (${gpu.instanceFamilies.join(", ")}; Karpenter sizes each node to its pods)`,
  });
  const general = cluster.generalNodes!;
  const generalOverhead = perNodeOverhead(overheads, false);
  const shape = INSTANCE_TYPES[GENERAL_NODE_SHAPE];
  // Limits count node capacity: as many xlarge nodes as both limits allow.
  const nodes = Math.max(
    1,
    Math.min(Math.floor(general.maxCpu / shape.vcpu), Math.floor(general.maxMemoryGiB / shape.memoryGiB)),
  );
  const perNode = forPods(GENERAL_NODE_SHAPE, generalOverhead);
  const generalTypes = typesOfFamilies(general.instanceCategories.flatMap((c) => [`${c}6i`, `${c}7i`]));
  const biggestGeneral = generalTypes[generalTypes.length - 1];
  pools.push({
    name: "general",
    configPath: "cluster.generalNodes",
    provisioner: "karpenter",
    hosts: ["cpu"],
    capacity: { cpu: nodes * perNode.cpu, memory: nodes * perNode.memory, gpus: 0 },
    largestNode: { ...forPods(biggestGeneral, generalOverhead), type: biggestGeneral },
    arithmetic: `NodePool limits ${general.maxCpu} CPU and ${general.maxMemoryGiB} GiB ≈ ${nodes} × ${GENERAL_NODE_SHAPE} (less DaemonSets)`,
  });
  return pools;
}
