// A request limit per client at the LLM gateway, so one key cannot take every GPU: Envoy's local
// rate limit with a bucket per token subject. Istio has no API for it, so it is an EnvoyFilter. Pure.
import type { LlmConfig } from "../config";
import {
  LOCAL_RATE_LIMIT_FILTER,
  LOCAL_RATE_LIMIT_PRIORITY,
  beforeRouter,
  localRateLimitConfig,
} from "../mesh/envoyPatches";

type ClientRateLimit = NonNullable<LlmConfig["clientRateLimit"]>;

const DESCRIPTOR_KEY = "client";
/** Where Istio's jwt_authn filter leaves a verified token's payload (PayloadInMetadata "payload"). */
const JWT_PAYLOAD = { key: "envoy.filters.http.jwt_authn", path: [{ key: "payload" }, { key: "sub" }] };

/**
 * The EnvoyFilter spec. The descriptor's value is the `sub` claim of the token jwt_authn verified
 * (dynamic metadata, so a client cannot pick its own bucket with a header), and its entry has no
 * value: Envoy then keeps a token bucket per distinct subject (dynamic descriptors, at most
 * `clients` of them, least recently used evicted: one that comes back starts full). Requests that
 * reach it with no descriptor — no route (an unknown model, no body), a token without `sub` — share
 * the filter's default bucket of the same size. Per gateway replica: Envoy's local limit is not
 * shared between pods.
 */
export function clientRateLimitSpec(limit: ClientRateLimit, selector: Record<string, string>) {
  const bucket = {
    max_tokens: limit.burst ?? limit.requestsPerMinute,
    tokens_per_fill: limit.requestsPerMinute,
    fill_interval: "60s",
  };
  return {
    workloadSelector: { labels: { ...selector } },
    // After the charts' own filters (priority 0); relative patches need one (istioctl IST0151).
    priority: LOCAL_RATE_LIMIT_PRIORITY,
    configPatches: [
      {
        applyTo: "HTTP_FILTER",
        // Anchored to the router: after jwt_authn and the authorization filters, so the subject is
        // known and requests refused for lack of a token never take a client's tokens.
        match: beforeRouter("GATEWAY"),
        patch: {
          operation: "INSERT_BEFORE",
          value: {
            name: LOCAL_RATE_LIMIT_FILTER,
            typed_config: localRateLimitConfig(
              { statPrefix: "llm_client_rate_limit", runtimeKey: "llm_client_rate_limit", tokenBucket: bucket },
              {
                // A client with its own bucket does not also drain the shared one.
                always_consume_default_token_bucket: false,
                max_dynamic_descriptors: limit.clients,
                descriptors: [{ entries: [{ key: DESCRIPTOR_KEY, value: "" }], token_bucket: bucket }],
              },
            ),
          },
        },
      },
      {
        // The descriptor comes from the virtual host's rate limit actions (every route of the gateway).
        applyTo: "VIRTUAL_HOST",
        match: { context: "GATEWAY" },
        patch: {
          operation: "MERGE",
          value: {
            rate_limits: [
              {
                actions: [
                  { metadata: { descriptor_key: DESCRIPTOR_KEY, metadata_key: JWT_PAYLOAD, source: "DYNAMIC" } },
                ],
              },
            ],
          },
        },
      },
    ],
  };
}
