// Every vLLM series the platform queries (dashboard, alerts, KEDA's trigger) must exist on both
// model servers it runs: vLLM v0.24.0 (names from vllm/v1/metrics/loggers.py; prometheus_client adds
// _total to counters) and llm-d-inference-sim v0.10.2 (pkg/llm-d-inference-sim/metrics.go; its Go
// client exports names as written). A query may read two names (`or`): each server must have one.
import { parseConfig } from "../components/config";
import { scaledObjectSpec } from "../components/inference/scaling";
import { alertGroups } from "../components/observability/alerts";
import { modelPanels } from "../components/observability/dashboard";
import { llmServiceOf, stackRaw } from "./support/configFixtures";

const VLLM_0_24 = [
  "vllm:num_requests_running",
  "vllm:num_requests_waiting",
  "vllm:kv_cache_usage_perc",
  "vllm:prefix_cache_queries_total",
  "vllm:prefix_cache_hits_total",
  "vllm:num_preemptions_total",
  "vllm:prompt_tokens_total",
  "vllm:generation_tokens_total",
  "vllm:request_success_total",
  "vllm:time_to_first_token_seconds",
  "vllm:inter_token_latency_seconds",
  "vllm:request_time_per_output_token_seconds",
  "vllm:e2e_request_latency_seconds",
  "vllm:request_queue_time_seconds",
  "vllm:request_prefill_time_seconds",
  "vllm:request_decode_time_seconds",
];

const SIMULATOR_0_10_2 = [
  "vllm:num_requests_running",
  "vllm:num_requests_waiting",
  "vllm:kv_cache_usage_perc",
  "vllm:prefix_cache_queries",
  "vllm:prefix_cache_hits",
  "vllm:prompt_tokens_total",
  "vllm:generation_tokens_total",
  "vllm:request_success_total",
  "vllm:time_to_first_token_seconds",
  "vllm:time_per_output_token_seconds",
  "vllm:inter_token_latency_seconds",
  "vllm:e2e_request_latency_seconds",
  "vllm:request_queue_time_seconds",
  "vllm:request_prefill_time_seconds",
  "vllm:request_decode_time_seconds",
];

/** The vLLM series a query reads, histogram suffixes taken off. */
const seriesOf = (expr: string) => [
  ...new Set([...expr.matchAll(/vllm:[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ""))),
];

function queries(): Record<string, string> {
  const config = parseConfig(stackRaw("dev"));
  const chat = llmServiceOf(config, "chat");
  const panels = modelPanels("ai", "chat").map((p) => [`panel ${p.title}`, p.expr]);
  const alerts = alertGroups(config.observability, config.services, true)
    .flatMap((g) => g.rules)
    .map((r) => [`alert ${r.alert}`, r.expr]);
  const scaler = scaledObjectSpec({
    service: chat,
    version: chat.versions[0],
    namespace: "ai",
    deployment: "chat-v1",
    prometheusUrl: "http://prometheus:9090",
  });
  return Object.fromEntries(
    [...panels, ...alerts, ["KEDA trigger", scaler.triggers[0].metadata.query]].filter(([, e]) => e.includes("vllm:")),
  );
}

describe("the vLLM series the platform reads", () => {
  it("reads series on every panel, alert and trigger that needs them", () => {
    expect(Object.keys(queries())).toEqual([
      "panel Time to first token (P99)",
      "panel Time per output token (P99)",
      "panel Generated tokens per second",
      "panel Waiting requests",
      "panel KV-cache utilization",
      "alert LlmTimeToFirstTokenHigh",
      "alert LlmQueueGrowing",
      "KEDA trigger",
    ]);
  });

  it.each([
    ["vLLM v0.24.0", VLLM_0_24],
    ["llm-d-inference-sim v0.10.2", SIMULATOR_0_10_2],
  ])("finds a series %s exports in every query", (_server, exported) => {
    const missing = Object.entries(queries())
      .filter(([, expr]) => !seriesOf(expr).some((name) => exported.includes(name)))
      .map(([where]) => where);
    expect(missing).toEqual([]);
  });

  it("reads no name neither server exports", () => {
    const all = Object.values(queries()).flatMap(seriesOf);
    expect(all.filter((name) => !VLLM_0_24.includes(name) && !SIMULATOR_0_10_2.includes(name))).toEqual([]);
  });

  it("reads time per output token under vLLM's name and the simulator's, vLLM's first", () => {
    expect(seriesOf(queries()["panel Time per output token (P99)"])).toEqual([
      "vllm:request_time_per_output_token_seconds",
      "vllm:time_per_output_token_seconds",
    ]);
  });
});
