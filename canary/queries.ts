// The PromQL the analysis runs, per service version, over the step's interval: Flagger's request
// success rate and P99 from Istio's standard metrics, as the destination's sidecar reports them.
import {
  NOT_FIVE_XX,
  destinationMatchers,
  p99LatencyMs,
  requestsTotal,
} from "../components/observability/istioMetrics";

export interface VersionQueries {
  requests: string;
  successRate: string;
  p99Ms: string;
}

export function versionQueries(namespace: string, app: string, version: string, interval: string): VersionQueries {
  const matchers = destinationMatchers({ namespace, app, version });
  // Config durations (30s, 1m, 1h) are Prometheus ranges as they are.
  const rate = (extra = "") => `sum(rate(${requestsTotal(matchers, extra)}[${interval}]))`;
  return {
    requests: `sum(increase(${requestsTotal(matchers)}[${interval}]))`,
    // A version with only 5xx has no non-5xx series: its success rate is 0, not missing.
    successRate: `(${rate(NOT_FIVE_XX)} or vector(0)) / ${rate()}`,
    p99Ms: p99LatencyMs(matchers, interval),
  };
}
