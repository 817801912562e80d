// vLLM's metrics as the platform scrapes them: merged into the sidecar agent's endpoint, labelled
// with the model server pod's namespace, app and version (scrape.ts). The dashboard, the alert
// rules and KEDA's queue query share these selectors, so they always read the same series.

/**
 * The series the platform reads, under the names both model servers export: vLLM v0.24.0
 * (vllm/v1/metrics/loggers.py) and llm-d-inference-sim v0.10.2 (pkg/llm-d-inference-sim/metrics.go).
 * Where they differ the query reads each name, vLLM's first: time per output token is
 * vllm:request_time_per_output_token_seconds in vLLM and still vllm:time_per_output_token_seconds
 * (vLLM's name before 0.11) in the simulator.
 */
export const VLLM = {
  timeToFirstToken: "vllm:time_to_first_token_seconds",
  timePerOutputToken: ["vllm:request_time_per_output_token_seconds", "vllm:time_per_output_token_seconds"],
  generationTokens: "vllm:generation_tokens_total",
  waitingRequests: "vllm:num_requests_waiting",
  kvCacheUsage: "vllm:kv_cache_usage_perc",
} as const;

/** `namespace="…"[,app="…"[,version="…"]]`. */
export function modelMatchers(scope: { namespace: string; app?: string; version?: string }): string {
  return [
    `namespace="${scope.namespace}"`,
    ...(scope.app === undefined ? [] : [`app="${scope.app}"`]),
    ...(scope.version === undefined ? [] : [`version="${scope.version}"`]),
  ].join(",");
}

/**
 * A quantile of a vLLM histogram over `window`, grouped by `by` (besides `le`). A histogram known by
 * two names reads both: `or` keeps each group's buckets from the first name that has them, so a
 * version on vLLM and a version on the simulator each get their own.
 */
export function modelQuantile(
  q: number,
  histogram: string | readonly string[],
  matchers: string,
  window: string,
  by: string,
): string {
  const names = typeof histogram === "string" ? [histogram] : histogram;
  const rates = names.map((name) => `sum by (${by}, le) (rate(${name}_bucket{${matchers}}[${window}]))`);
  return `histogram_quantile(${q}, ${rates.join(" or ")})`;
}

/** Requests waiting for a slot on the model servers, summed (by `by` when given). */
export function waitingRequests(matchers: string, by?: string): string {
  return `sum${by ? ` by (${by})` : ""}(${VLLM.waitingRequests}{${matchers}})`;
}
