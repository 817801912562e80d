// Local (per-pod) rate limiting. Istio has no first-class API for it, so it is an EnvoyFilter
// inserting envoy.filters.http.local_ratelimit on the sidecar's inbound HTTP chain.
export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

export const RATE_LIMIT_FILTER = "envoy.filters.http.local_ratelimit";

/**
 * The EnvoyFilter's priority. INSERT_BEFORE is a relative operation: with priority 0, `istioctl analyze`
 * warns (IST0151) that Istio may not apply it, because where it lands then depends on the creation time
 * and name of every other EnvoyFilter on the proxy (pilot/pkg/model/push_context.go, EnvoyFilters(): sorted
 * by priority, then root namespace first, then creation time, then name). Positive: applied after every
 * default-priority (0) EnvoyFilter, so a filter someone else inserts before the router lands ahead of
 * ours, and what it rejects never spends a token (among filters of equal priority, creation time and
 * name still decide). A multiple of 10 leaves room on either side. What makes the patch land at all
 * is its anchor, the router, below.
 */
export const RATE_LIMIT_PRIORITY = 10;

export function localRateLimitPatch(limit: RateLimit): Record<string, unknown> {
  const always = { runtime_key: "", default_value: { numerator: 100, denominator: "HUNDRED" } };
  return {
    applyTo: "HTTP_FILTER",
    match: {
      context: "SIDECAR_INBOUND",
      // Right before the router, which Istio appends last to every HTTP chain ("Router filter must be
      // last", pilot/pkg/networking/core/listener_builder.go at 1.30.3), so the anchor always exists.
      // That puts the limit after metadata exchange, ext_authz, authn, RBAC, fault, cors and istio.stats:
      // a caller the AuthorizationPolicy denies never spends a token. INSERT_FIRST would put it ahead of
      // RBAC, and of metadata exchange, which Istio wants before any other HTTP filter (same file).
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

/** The EnvoyFilter's spec for the pods labelled `app`: the patch above, ordered by its priority. */
export function localRateLimitSpec(app: string, limit: RateLimit): Record<string, unknown> {
  return {
    workloadSelector: { labels: { app } },
    priority: RATE_LIMIT_PRIORITY,
    configPatches: [localRateLimitPatch(limit)],
  };
}
