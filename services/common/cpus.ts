// CPUs this container may use: its cgroup quota when it has one. os.availableParallelism() reports
// the node's cores, and a thread pool sized to a 48-core node inside a 4-CPU limit gets throttled.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

export function cpuLimit(cpuMaxFile = "/sys/fs/cgroup/cpu.max"): number {
  const cores = availableParallelism();
  try {
    const [quota, period] = readFileSync(cpuMaxFile, "utf8").trim().split(/\s+/);
    if (quota === "max") return cores;
    return Math.max(1, Math.min(cores, Math.ceil(Number(quota) / Number(period))));
  } catch {
    return cores;
  }
}
