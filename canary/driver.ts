// The promotion loop: apply a step, let it run an interval, check the target, then advance,
// re-check, or roll back. Everything outside (applying weights, metrics, time) comes in through
// CanaryIO, so the loop runs the same against the real engine and in tests.
import type { CanaryConfig } from "../components/config";
import { durationMs } from "../components/config/durations";
import type { Weights } from "../components/core/weights";
import { describeWeights, rollbackWeights } from "./steps";
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
  /**
   * Before weights are applied: rejects (PoolNotReady) when a version they raise from 0 cannot answer
   * yet. Models only (a pool without a ready endpoint fails its share); absent, nothing is checked.
   */
  checkPools?(before: Weights, after: Weights): Promise<void>;
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

/** The run was asked to stop (Ctrl-C). `weights`: what an update cut short left deployed. */
export class Interrupted extends Error {
  constructor(readonly weights?: Weights) {
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

/** The longest pause between two tries of an unanswered metrics query. */
export const MAX_RETRY_DELAY_MS = 15_000;

/**
 * Pauses between tries of a failing metrics query: doubling from a second, capped, together exactly
 * one interval. After them the outage has lasted a whole interval and the run stops waiting.
 */
export function retryDelays(intervalMs: number): number[] {
  const delays: number[] = [];
  let left = intervalMs;
  for (let delay = 1000; left > 0; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
    delays.push(Math.min(delay, left));
    left -= delays[delays.length - 1];
  }
  return delays;
}

/** Prometheus did not answer within an interval: the canary cannot be observed. */
class MetricsUnavailable extends Error {}

/** A measurement, retried within one interval; an outage beyond that is MetricsUnavailable. */
async function measureWithRetries(io: CanaryIO, version: string, intervalMs: number): Promise<Metrics> {
  const delays = retryDelays(intervalMs);
  for (let attempt = 0; ; attempt++) {
    try {
      return await io.measure(version);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      const message = (error as { message?: string }).message ?? String(error);
      if (attempt >= delays.length) {
        throw new MetricsUnavailable(`no metrics for ${version} within ${intervalMs / 1000} s: ${message}`);
      }
      io.log(`  metrics query failed (${message}); retrying in ${delays[attempt] / 1000} s`);
      await io.wait(delays[attempt]);
    }
  }
}

export async function runCanary(run: CanaryRun, io: CanaryIO): Promise<CanaryResult> {
  const checks: CheckRecord[] = [];
  const interval = durationMs(run.settings.interval);
  let state = { failures: 0, holds: 0 };
  let applied = run.current;
  const rollBack = async (reason: string): Promise<CanaryResult> => {
    const back = rollbackWeights(applied, run.from, run.to);
    io.log(`rolling back: ${describeWeights(back)} (${reason})`);
    try {
      await io.checkPools?.(applied, back);
      await io.apply(back, "rollback");
    } catch (error) {
      // Ctrl-C during the rollback: stop where the cluster is, like any interruption (resume or --rollback).
      if (!(error instanceof Interrupted)) throw error;
      return {
        outcome: "interrupted",
        reason: `while rolling back: ${reason}`,
        weights: error.weights ?? applied,
        checks,
      };
    }
    return { outcome: "rolled-back", reason, weights: back, checks };
  };
  try {
    for (const [index, weights] of run.steps.entries()) {
      const step = index + 1;
      io.log(`step ${step}/${run.steps.length}: ${describeWeights(weights)}`);
      // Never weight for a pool without a ready endpoint: refuse before the step, nothing applied.
      await io.checkPools?.(applied, weights);
      await io.apply(weights, `step ${step}/${run.steps.length}`);
      applied = weights;
      for (;;) {
        await io.wait(interval);
        const target = await measureWithRetries(io, run.to, interval);
        const stable = weights[run.from] > 0 ? await measureWithRetries(io, run.from, interval) : undefined;
        const check = checkVersion(target, stable, run.settings);
        const decision = next(state, check, run.settings.threshold);
        state = decision.state;
        const record: CheckRecord = { step, weights, target, stable, ...check, next: decision.next };
        checks.push(record);
        io.log(`  ${describeCheck(record, run, run.steps.length)}`);
        if (decision.next === "advance") break;
        if (decision.next === "rollback") {
          return await rollBack(
            `${state.failures} failed checks, more than the ${run.settings.threshold} tolerated; last: ${check.reasons.join("; ")}`,
          );
        }
      }
    }
    return { outcome: "promoted", weights: applied, checks };
  } catch (error) {
    if (error instanceof Interrupted) return { outcome: "interrupted", weights: error.weights ?? applied, checks };
    // A canary nobody can observe is never promoted: Prometheus down is a failure, not a pause.
    if (error instanceof MetricsUnavailable) return await rollBack(`${error.message}; not promoting unobserved`);
    throw error;
  }
}
