// What the program's EnvoyFilters share: Envoy's local rate limit filter and its config, inserted
// just before the HTTP router of a sidecar's or gateway's chain, at a set priority. Pure.

export const LOCAL_RATE_LIMIT_FILTER = "envoy.filters.http.local_ratelimit";
export const LOCAL_RATE_LIMIT_TYPE =
  "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";

/**
 * Relative patches (INSERT_BEFORE) need a non-zero priority, or `istioctl analyze` warns that Istio
 * may not apply them (IST0151). Positive: applied after every default-priority (0) EnvoyFilter, the
 * charts' own among them (pilot/pkg/model/push_context.go, EnvoyFilters(): sorted by priority, then
 * root namespace first, then creation time, then name). A multiple of 10 leaves room on either side.
 */
export const LOCAL_RATE_LIMIT_PRIORITY = 10;

/**
 * An HTTP_FILTER match right before the router, which Istio appends last to every HTTP chain ("Router
 * filter must be last", pilot/pkg/networking/core/listener_builder.go at 1.30.3), so the anchor always
 * exists: a filter inserted there runs after Istio's authn, jwt_authn and RBAC filters.
 */
export function beforeRouter(context: "SIDECAR_INBOUND" | "GATEWAY") {
  return {
    context,
    listener: {
      filterChain: {
        filter: {
          name: "envoy.filters.network.http_connection_manager",
          subFilter: { name: "envoy.filters.http.router" },
        },
      },
    },
  };
}

/** A runtime fraction that is always 100 %: the filter enabled and enforced, switchable by `key`. */
const always = (key: string) => ({ runtime_key: key, default_value: { numerator: 100, denominator: "HUNDRED" } });

/**
 * The local rate limit filter's config: a token bucket, on and enforced (runtime keys
 * `<runtimeKey>_enabled` / `_enforced`), answering 429 with `x-local-rate-limit: true`. `extra` (the
 * per-client descriptors) goes between the switches and the header, as Envoy lists the fields.
 */
export function localRateLimitConfig(
  args: { statPrefix: string; runtimeKey: string; tokenBucket: Record<string, unknown> },
  extra: Record<string, unknown> = {},
) {
  return {
    "@type": LOCAL_RATE_LIMIT_TYPE,
    stat_prefix: args.statPrefix,
    token_bucket: args.tokenBucket,
    filter_enabled: always(`${args.runtimeKey}_enabled`),
    filter_enforced: always(`${args.runtimeKey}_enforced`),
    ...extra,
    response_headers_to_add: [
      { append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-local-rate-limit", value: "true" } },
    ],
  };
}
