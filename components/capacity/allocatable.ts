// What pods can request on one node of a known type: its capacity less the kubelet's reservations
// on EKS AMIs. Pure arithmetic over the instance table.
import { INSTANCE_TYPES } from "../core/instanceTypes";

export interface Allocatable {
  /** Millicores. */
  cpu: number;
  /** MiB. */
  memory: number;
  gpus: number;
  pods: number;
}

/** The kubelet's CPU reservation on EKS AMIs: 6 % of the first core, 1 % of the second, 0.5 % up to four, 0.25 % above. */
function reservedCpu(vcpu: number): number {
  const tiers: [cores: number, percent: number][] = [
    [1, 6],
    [1, 1],
    [2, 0.5],
    [Infinity, 0.25],
  ];
  let left = vcpu;
  let reserved = 0;
  for (const [cores, percent] of tiers) {
    const take = Math.min(left, cores);
    reserved += take * 1000 * (percent / 100);
    left -= take;
  }
  return reserved;
}

/**
 * What pods can request on one node: capacity minus the kubelet's reservations (EKS AMI: CPU as
 * above, memory 255 MiB + 11 MiB per pod, 100 MiB eviction threshold). The OS sees about 93 % of
 * the memory EC2 advertises; 7 % is taken off first, so the estimate errs low.
 */
export function allocatable(type: string): Allocatable {
  const t = INSTANCE_TYPES[type];
  const memory = Math.floor(t.memoryGiB * 1024 * 0.93) - (255 + 11 * t.maxPods) - 100;
  return { cpu: Math.floor(t.vcpu * 1000 - reservedCpu(t.vcpu)), memory, gpus: t.gpus, pods: t.maxPods };
}
