// Istio's standard request metrics as the destination's sidecar reports them: the selectors the
// alert rules, the dashboard and the canary analysis share, so they always read the same series.

/** Extra matchers: the 5xx responses, and the rest. */
export const FIVE_XX = ',response_code=~"5.."';
export const NOT_FIVE_XX = ',response_code!~"5.."';

/** `reporter="destination",destination_service_namespace="…"[,destination_app="…"[,destination_version="…"]]`. */
export function destinationMatchers(scope: { namespace: string; app?: string; version?: string }): string {
  return [
    'reporter="destination"',
    `destination_service_namespace="${scope.namespace}"`,
    ...(scope.app === undefined ? [] : [`destination_app="${scope.app}"`]),
    ...(scope.version === undefined ? [] : [`destination_version="${scope.version}"`]),
  ].join(",");
}

export function requestsTotal(matchers: string, extra = ""): string {
  return `istio_requests_total{${matchers}${extra}}`;
}

/** P99 request latency in ms over `window`, grouped by `by` (besides `le`) when given. */
export function p99LatencyMs(matchers: string, window: string, by?: string): string {
  return `histogram_quantile(0.99, sum by (${by ? `${by}, ` : ""}le) (rate(istio_request_duration_milliseconds_bucket{${matchers}}[${window}])))`;
}
