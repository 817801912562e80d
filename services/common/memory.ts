// Memory this container may use: its cgroup limit when it has one (what the kubelet OOM-kills at),
// else the machine's. MEMORY_LIMIT_BYTES overrides both (local runs, tests).
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { envInt, type Env } from "./env";

/** cgroup v1 reports "no limit" as a number near 2^63. */
const UNLIMITED = 2 ** 60;

export function memoryLimit(
  env: Env,
  files = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"],
): number {
  const machine = totalmem();
  for (const file of files) {
    try {
      const raw = readFileSync(file, "utf8").trim();
      const value = Number(raw);
      if (raw !== "max" && Number.isFinite(value) && value < UNLIMITED) return envLimit(env, Math.min(value, machine));
      if (raw === "max") break;
    } catch {
      // not this cgroup version
    }
  }
  return envLimit(env, machine);
}

function envLimit(env: Env, fallback: number): number {
  return envInt(env, "MEMORY_LIMIT_BYTES", fallback, { min: 64 * 1024 * 1024, max: 2 ** 50 });
}
