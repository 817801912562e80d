// What the program's EnvoyFilters share: Envoy's local rate limit filter, inserted just before the
// HTTP router of a sidecar's or gateway's chain, at a set priority. Pure.

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
