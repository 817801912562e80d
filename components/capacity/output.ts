// The capacity report as a stack output and in plan.json: plain numbers, no Infinity (null = no cap).
import type { CapacityReport } from "./check";
import type { Resources } from "./pools";

type Capped = { cpu: number | null; memory: number | null; gpus: number | null };

const capped = (r: Resources): Capped => ({
  cpu: Number.isFinite(r.cpu) ? r.cpu : null,
  memory: Number.isFinite(r.memory) ? r.memory : null,
  gpus: Number.isFinite(r.gpus) ? r.gpus : null,
});

/** CPU in millicores, memory in MiB. */
export function capacityOutput(report: CapacityReport) {
  return {
    units: "cpu in millicores, memory in MiB; null means no cap",
    ...(report.note ? { note: report.note } : {}),
    pools: report.rows.map((row) => ({ ...row, capacity: capped(row.capacity) })),
    load: report.load,
    models: report.models,
  };
}
