// How many nodes of which type each pool runs at minimum and at maximum replicas, as the capacity
// code counts pods and pools: a managed group runs its node count; a Karpenter NodePool launches,
// for the pods that are pending, the cheapest fleet of one instance type that holds them. Pure.
import type { PodGroup } from "../capacity/demand";
import type { NodeShape } from "../capacity/pools";

/** A fleet of one instance type. */
export interface Fleet {
  type: string;
  count: number;
  /** US dollars per hour for the whole fleet; null when the type has no price. */
  hourly: number | null;
}

export type Price = (type: string) => number | undefined;

/** A managed node group: `count` nodes of its smallest type (the one the capacity check counts). */
export function managedFleet(shapes: NodeShape[], count: number, price: Price): Fleet {
  const type = shapes[0].type;
  const each = price(type);
  return { type, count, hourly: each === undefined ? null : each * count };
}

/** The cheapest fleet among `candidates` (fewer nodes on a tie); unpriced types only when nothing is priced. */
function cheapest(candidates: { type: string; count: number }[], price: Price): Fleet | undefined {
  const priced = candidates
    .filter((c) => price(c.type) !== undefined)
    .map((c) => ({ ...c, hourly: price(c.type)! * c.count }))
    .sort((a, b) => a.hourly - b.hourly || a.count - b.count);
  if (priced.length > 0) return priced[0];
  const first = [...candidates].sort((a, b) => a.count - b.count)[0];
  return first && { ...first, hourly: null };
}

/**
 * GPU pods of one group (`replicas` pods alike): on each type one pod fits, as many pods per node as
 * its GPUs, CPU and memory allow; the cheapest such fleet. Undefined when no type holds one pod.
 */
export function gpuFleet(pod: PodGroup, replicas: number, shapes: NodeShape[], price: Price): Fleet | undefined {
  if (replicas === 0) return { type: "", count: 0, hourly: 0 };
  const candidates = shapes
    .map((s) => ({
      type: s.type,
      perNode: Math.min(
        Math.floor(s.forPods.gpus / pod.gpu),
        Math.floor(s.forPods.cpu / pod.cpu),
        Math.floor(s.forPods.memory / pod.memory),
      ),
    }))
    .filter((c) => c.perNode >= 1)
    .map((c) => ({ type: c.type, count: Math.ceil(replicas / c.perNode) }));
  return cheapest(candidates, price);
}

/**
 * CPU pods beyond what the system nodes hold, counted by their summed requests (a lower bound: pods
 * do not split across nodes, so fragmentation can add a node): the cheapest fleet of one type that
 * holds the overflow, among types on which the largest pod fits.
 */
export function overflowFleet(
  overflow: { cpu: number; memory: number },
  largest: { cpu: number; memory: number },
  shapes: NodeShape[],
  price: Price,
): Fleet | undefined {
  if (overflow.cpu <= 0 && overflow.memory <= 0) return { type: "", count: 0, hourly: 0 };
  const candidates = shapes
    .filter((s) => s.forPods.cpu >= largest.cpu && s.forPods.memory >= largest.memory)
    .map((s) => ({
      type: s.type,
      count: Math.max(
        Math.ceil(Math.max(overflow.cpu, 0) / s.forPods.cpu),
        Math.ceil(Math.max(overflow.memory, 0) / s.forPods.memory),
      ),
    }));
  return cheapest(candidates, price);
}
