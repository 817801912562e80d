// The promotion loop: apply a step, let it run an interval, check the target, then advance,
// re-check, or roll back. Everything outside (applying weights, metrics, time) comes in through
// CanaryIO, so the loop runs the same against the real engine and in tests.
import type { CanaryConfig } from "../components/config";
import { durationMs } from "../components/config/durations";
import { describeWeights, rollbackWeights, type Weights } from "./steps";
import { checkVersion, next, percent, type Metrics, type Outcome } from "./verdict";

export interface CanaryRun {
  from: string;
  to: string;
  /** The weights the run starts from (already applied). */
  current: Weights;
  /** The weights of each step still to come (stepWeights). */
  steps: Weights[];
  settings: CanaryConfig;
}

export interface CanaryIO {
  /** Writes the weights to the stack file and applies them; resolves once the cluster has them. */
  apply(weights: Weights, label: string): Promise<void>;
  measure(version: string): Promise<Metrics>;
  /** Waits, or rejects when the run is interrupted. */
  wait(ms: number): Promise<void>;
  log(line: string): void;
}

export interface CheckRecord {
  step: number;
  weights: Weights;
  target: Metrics;
  stable?: Metrics;
  outcome: Outcome;
  reasons: string[];
  next: string;
}

export interface CanaryResult {
  outcome: "promoted" | "rolled-back" | "interrupted";
  reason?: string;
  /** The weights in the stack file and the cluster at the end. */
  weights: Weights;
  checks: CheckRecord[];
}

export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

const ms = (value: number | null) => (value === null ? "–" : `${Math.round(value)} ms`);

export function describeCheck(record: CheckRecord, run: Pick<CanaryRun, "from" | "to">, total: number): string {
  const stable = record.stable;
  return [
    `step ${record.step}/${total}`,
    `${run.to} ${record.weights[run.to]}%`,
    `requests ${Math.round(record.target.requests)}`,
    `success ${percent(record.target.successRate)}${stable ? ` (${run.from} ${percent(stable.successRate)})` : ""}`,
    `p99 ${ms(record.target.p99Ms)}${stable ? ` (${run.from} ${ms(stable.p99Ms)})` : ""}`,
    `${record.outcome}${record.reasons.length ? `: ${record.reasons.join("; ")}` : ""} → ${record.next}`,
  ].join(" | ");
}

export async function runCanary(run: CanaryRun, io: CanaryIO): Promise<CanaryResult> {
  const checks: CheckRecord[] = [];
  const interval = durationMs(run.settings.interval);
  let state = { failures: 0, holds: 0 };
  let applied = run.current;
  try {
    for (const [index, weights] of run.steps.entries()) {
      const step = index + 1;
      io.log(`step ${step}/${run.steps.length}: ${describeWeights(weights)}`);
      await io.apply(weights, `step ${step}/${run.steps.length}`);
      applied = weights;
      for (;;) {
        await io.wait(interval);
        const target = await io.measure(run.to);
        const stable = weights[run.from] > 0 ? await io.measure(run.from) : undefined;
        const check = checkVersion(target, stable, run.settings);
        const decision = next(state, check, run.settings.threshold);
        state = decision.state;
        const record: CheckRecord = { step, weights, target, stable, ...check, next: decision.next };
        checks.push(record);
        io.log(`  ${describeCheck(record, run, run.steps.length)}`);
        if (decision.next === "advance") break;
        if (decision.next === "rollback") {
          const reason = `${state.failures} failed checks, more than the ${run.settings.threshold} tolerated; last: ${check.reasons.join("; ")}`;
          const back = rollbackWeights(applied, run.from, run.to);
          io.log(`rolling back: ${describeWeights(back)} (${reason})`);
          await io.apply(back, "rollback");
          return { outcome: "rolled-back", reason, weights: back, checks };
        }
      }
    }
    return { outcome: "promoted", weights: applied, checks };
  } catch (error) {
    if (error instanceof Interrupted) return { outcome: "interrupted", weights: applied, checks };
    throw error;
  }
}
