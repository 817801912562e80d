// Local (per-pod) rate limiting. Istio has no first-class API for it, so it is an EnvoyFilter
// inserting envoy.filters.http.local_ratelimit on the sidecar's inbound HTTP chain.
import {
  LOCAL_RATE_LIMIT_FILTER,
  LOCAL_RATE_LIMIT_PRIORITY,
  beforeRouter,
  localRateLimitConfig,
} from "../mesh/envoyPatches";

export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

export function localRateLimitPatch(limit: RateLimit): Record<string, unknown> {
  return {
    applyTo: "HTTP_FILTER",
    // Right before the router (mesh/envoyPatches.ts): after metadata exchange, ext_authz, authn, RBAC,
    // fault, cors and istio.stats, so a caller the AuthorizationPolicy denies never spends a token.
    // INSERT_FIRST would put it ahead of RBAC, and of metadata exchange, which Istio wants before any
    // other HTTP filter (pilot/pkg/networking/core/listener_builder.go at 1.30.3).
    match: beforeRouter("SIDECAR_INBOUND"),
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: LOCAL_RATE_LIMIT_FILTER,
        typed_config: localRateLimitConfig({
          statPrefix: "http_local_rate_limiter",
          runtimeKey: "local_rate_limit",
          // The bucket holds `burst` tokens and refills `requestsPerSecond` every second.
          tokenBucket: { max_tokens: limit.burst, tokens_per_fill: limit.requestsPerSecond, fill_interval: "1s" },
        }),
      },
    },
  };
}

/** The EnvoyFilter's spec for the pods labelled `app`: the patch above, ordered by its priority. */
export function localRateLimitSpec(app: string, limit: RateLimit): Record<string, unknown> {
  return {
    workloadSelector: { labels: { app } },
    // At a set priority (mesh/envoyPatches.ts): a filter someone else inserts before the router at the
    // default priority lands ahead of ours, and what it rejects never spends a token.
    priority: LOCAL_RATE_LIMIT_PRIORITY,
    configPatches: [localRateLimitPatch(limit)],
  };
}
