// Verdicts: one check of the target version against absolute thresholds and against the stable
// version, and what a run does next. No traffic is never a pass: it holds, then it fails.

export interface Metrics {
  /** Requests in the interval. */
  requests: number;
  /** Non-5xx share, 0..1; null without requests. */
  successRate: number | null;
  p99Ms: number | null;
}

export interface Thresholds {
  maxErrorRatePercent: number;
  maxP99Ms: number;
  minRequests: number;
  /** Failed checks tolerated (one more rolls back); also how many intervals a step may hold. */
  threshold: number;
}

export type Outcome = "pass" | "fail" | "hold";

export interface Check {
  outcome: Outcome;
  reasons: string[];
}

/** How much worse than stable the target may be: a point of errors, a fifth of latency. */
export const STABLE_ERROR_MARGIN_POINTS = 1;
export const STABLE_P99_MARGIN = 1.2;

/** A rate as the reports print it: 0.995 → "99.50%"; no rate (no requests) → "–". */
export const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(2)}%`);

export function checkVersion(target: Metrics, stable: Metrics | undefined, t: Thresholds): Check {
  if (target.requests < t.minRequests) {
    return { outcome: "hold", reasons: [`${Math.round(target.requests)} requests, fewer than ${t.minRequests}`] };
  }
  // Latency unchecked is not latency passed: no histogram series is no evidence, exactly like no traffic.
  if (target.p99Ms === null) {
    return {
      outcome: "hold",
      reasons: ["no latency data (no istio_request_duration_milliseconds_bucket series for the version)"],
    };
  }
  const reasons: string[] = [];
  const errorRate = 1 - (target.successRate ?? 0);
  if (errorRate * 100 > t.maxErrorRatePercent) {
    reasons.push(`error rate ${percent(errorRate)} above ${t.maxErrorRatePercent}%`);
  }
  if (target.p99Ms > t.maxP99Ms) {
    reasons.push(`p99 ${Math.round(target.p99Ms)} ms above ${t.maxP99Ms} ms`);
  }
  // Against stable only when stable has traffic to compare with.
  if (stable && stable.requests >= t.minRequests && stable.successRate !== null) {
    const stableErrorRate = 1 - stable.successRate;
    if ((errorRate - stableErrorRate) * 100 > STABLE_ERROR_MARGIN_POINTS) {
      reasons.push(
        `error rate ${percent(errorRate)} more than ${STABLE_ERROR_MARGIN_POINTS} point above stable's ${percent(stableErrorRate)}`,
      );
    }
    if (stable.p99Ms !== null && target.p99Ms > stable.p99Ms * STABLE_P99_MARGIN) {
      reasons.push(`p99 ${Math.round(target.p99Ms)} ms more than 20% above stable's ${Math.round(stable.p99Ms)} ms`);
    }
  }
  return { outcome: reasons.length > 0 ? "fail" : "pass", reasons };
}

export interface RunState {
  failures: number;
  /** Consecutive checks without enough traffic at the current step. */
  holds: number;
}

export type Next = "advance" | "recheck" | "rollback";

/**
 * What follows a check: a pass advances; a hold (no traffic, no latency data) re-checks, until the
 * step has held `threshold` intervals, after which each hold counts as a failure; failures beyond
 * `threshold` roll back.
 */
export function next(state: RunState, check: Check, threshold: number): { state: RunState; next: Next } {
  if (check.outcome === "pass") return { state: { ...state, holds: 0 }, next: "advance" };
  const holds = check.outcome === "hold" ? state.holds + 1 : state.holds;
  const failed = check.outcome === "fail" || holds > threshold;
  const failures = state.failures + (failed ? 1 : 0);
  return { state: { failures, holds }, next: failures > threshold ? "rollback" : "recheck" };
}
