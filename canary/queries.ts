// The PromQL the analysis runs, per service version, over the step's interval: Flagger's request
// success rate and P99 from Istio's standard metrics, as the destination's sidecar reports them.

export interface VersionQueries {
  requests: string;
  successRate: string;
  p99Ms: string;
}

export function versionQueries(namespace: string, app: string, version: string, interval: string): VersionQueries {
  const labels = `reporter="destination",destination_service_namespace="${namespace}",destination_app="${app}",destination_version="${version}"`;
  // Config durations (30s, 1m, 1h) are Prometheus ranges as they are.
  const rate = (extra: string) => `sum(rate(istio_requests_total{${labels}${extra}}[${interval}]))`;
  return {
    requests: `sum(increase(istio_requests_total{${labels}}[${interval}]))`,
    // A version with only 5xx has no non-5xx series: its success rate is 0, not missing.
    successRate: `(${rate(',response_code!~"5.."')} or vector(0)) / ${rate("")}`,
    p99Ms: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${labels}}[${interval}])))`,
  };
}
