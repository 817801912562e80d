// Kubernetes quantities as numbers: CPU in millicores, memory in MiB.

/** A container's requests or limits as Kubernetes writes them ("250m", "256Mi"). */
export interface CpuMemory {
  cpu: string;
  memory: string;
}

const BINARY: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function cpuMillis(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

export function memoryMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const [, value, unit] = match;
  if (unit in BINARY) return Number(value) * BINARY[unit];
  const bytes = Number(value) * (DECIMAL[unit] ?? 1);
  return bytes / (1024 * 1024);
}

export function formatCpu(millis: number): string {
  return millis >= 1000 ? `${(millis / 1000).toFixed(2).replace(/\.?0+$/, "")} CPU` : `${Math.round(millis)}m CPU`;
}

export function formatMemory(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(1).replace(/\.0$/, "")} GiB` : `${Math.round(mib)} MiB`;
}
