// vLLM's metrics as the platform scrapes them: merged into the sidecar agent's endpoint, labelled
// with the model server pod's namespace, app and version (scrape.ts). The dashboard, the alert
// rules and KEDA's queue query share these selectors, so they always read the same series.

/** The series vLLM (and the simulator) export under these names since vLLM's V1 engine. */
export const VLLM = {
  timeToFirstToken: "vllm:time_to_first_token_seconds",
  timePerOutputToken: "vllm:request_time_per_output_token_seconds",
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

/** A quantile of a vLLM histogram over `window`, grouped by `by` (besides `le`). */
export function modelQuantile(q: number, histogram: string, matchers: string, window: string, by: string): string {
  return `histogram_quantile(${q}, sum by (${by}, le) (rate(${histogram}_bucket{${matchers}}[${window}])))`;
}

/** Requests waiting for a slot on the model servers, summed (by `by` when given). */
export function waitingRequests(matchers: string, by?: string): string {
  return `sum${by ? ` by (${by})` : ""}(${VLLM.waitingRequests}{${matchers}})`;
}
