// Local (per-pod) rate limiting. Istio has no first-class API for it, so it is an EnvoyFilter
// inserting envoy.filters.http.local_ratelimit on the sidecar's inbound HTTP chain.
export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

export const RATE_LIMIT_FILTER = "envoy.filters.http.local_ratelimit";

export function localRateLimitPatch(limit: RateLimit): Record<string, unknown> {
  const always = { runtime_key: "", default_value: { numerator: 100, denominator: "HUNDRED" } };
  return {
    applyTo: "HTTP_FILTER",
    match: {
      context: "SIDECAR_INBOUND",
      // Anchored to the router, the last HTTP filter: an unanchored INSERT_BEFORE has no defined
      // position (istioctl IST0151).
      listener: {
        filterChain: {
          filter: {
            name: "envoy.filters.network.http_connection_manager",
            subFilter: { name: "envoy.filters.http.router" },
          },
        },
      },
    },
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: RATE_LIMIT_FILTER,
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
          stat_prefix: "http_local_rate_limiter",
          // The bucket holds `burst` tokens and refills `requestsPerSecond` every second.
          token_bucket: { max_tokens: limit.burst, tokens_per_fill: limit.requestsPerSecond, fill_interval: "1s" },
          filter_enabled: { ...always, runtime_key: "local_rate_limit_enabled" },
          filter_enforced: { ...always, runtime_key: "local_rate_limit_enforced" },
          response_headers_to_add: [
            { append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-local-rate-limit", value: "true" } },
          ],
        },
      },
    },
  };
}
