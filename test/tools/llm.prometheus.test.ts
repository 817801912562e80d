// vLLM's series through the program's scrape config, on a real Prometheus: model servers' merged
// endpoints (the sidecar agent's :15020) get their pod's app and version, other pods keep their own
// labels, and the queries KEDA, the dashboard and the alerts make find each version's series, on
// vLLM v0.24.0 (vllm/v1/metrics/loggers.py) and on llm-d-inference-sim v0.10.2
// (pkg/llm-d-inference-sim/metrics.go), which names time per output token as vLLM did before 0.11.
import { createServer, type Server } from "http";
import { modelPanels } from "../../components/observability/dashboard";
import { alertGroups } from "../../components/observability/alerts";
import { envoyPodMonitorSpec, MERGED_METRICS_PORT } from "../../components/observability/scrape";
import { parseConfig } from "../../components/config";
import { scaledObjectSpec } from "../../components/inference/scaling";
import { llmServiceOf, stackRaw } from "../support/configFixtures";
import { startScrapingPrometheus, type RunningPrometheus } from "../support/prometheus";
import { describeWithTools } from "../support/tools";

const STARTED = Date.now();
const seconds = () => (Date.now() - STARTED) / 1000;

type ModelServer = "vllm" | "simulator";

/** Time per output token, as each server names and buckets it: every token in (below, tpot]. */
function tpotLines(server: ModelServer, labels: string, done: number, tpot: number): string[] {
  const name = server === "vllm" ? "vllm:request_time_per_output_token_seconds" : "vllm:time_per_output_token_seconds";
  // The simulator's TPOT buckets (pkg/common/utils.go TPOTBucketsBoundaries), vLLM's own.
  const buckets = server === "vllm" ? [0.01, 0.025, 0.05, 0.075, 0.1] : [0.01, 0.025, 0.05, 0.075, 0.1, 0.15];
  return [
    `# TYPE ${name} histogram`,
    ...buckets.map((le) => `${name}_bucket{${labels},le="${le}"} ${le >= tpot ? done : 0}`),
    `${name}_bucket{${labels},le="+Inf"} ${done}`,
    `${name}_count{${labels}} ${done}`,
    `${name}_sum{${labels}} ${done * tpot}`,
  ];
}

/**
 * A model server's metrics as `server` exports them: `ttft` seconds for every request and `tpot` per
 * output token, 10 requests a second.
 */
function vllmText(server: ModelServer, model: string, waiting: number, ttft: number, kv: number, tpot: number): string {
  const done = Math.round(seconds() * 10);
  const labels = server === "vllm" ? `engine="0",model_name="${model}"` : `model_name="${model}"`;
  const buckets = [0.1, 0.5, 1, 2.5, 5, 10];
  return [
    "# TYPE vllm:num_requests_waiting gauge",
    `vllm:num_requests_waiting{${labels}} ${waiting}`,
    "# TYPE vllm:kv_cache_usage_perc gauge",
    `vllm:kv_cache_usage_perc{${labels}} ${kv}`,
    "# TYPE vllm:generation_tokens_total counter",
    `vllm:generation_tokens_total{${labels}} ${done * 50}`,
    "# TYPE vllm:time_to_first_token_seconds histogram",
    ...buckets.map((le) => `vllm:time_to_first_token_seconds_bucket{${labels},le="${le}"} ${le >= ttft ? done : 0}`),
    `vllm:time_to_first_token_seconds_bucket{${labels},le="+Inf"} ${done}`,
    `vllm:time_to_first_token_seconds_count{${labels}} ${done}`,
    `vllm:time_to_first_token_seconds_sum{${labels}} ${done * ttft}`,
    ...tpotLines(server, labels, done, tpot),
    // Envoy's own, merged in by the agent.
    "# TYPE istio_build gauge",
    'istio_build{component="proxy",tag="1.30.3"} 1',
    "",
  ].join("\n");
}

/** An HTTP service's app metric with a label named like a pod label: it must not be renamed. */
const WEB_TEXT = ["# TYPE http_requests_total counter", 'http_requests_total{service="web",version="v1"} 42', ""].join(
  "\n",
);

interface Pod {
  ip: string;
  name: string;
  labels: Record<string, string>;
  text: () => string;
}

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const PODS: Pod[] = [
  {
    ip: "127.0.0.2",
    name: "chat-v1-7d9c5-abcde",
    labels: { app: "chat", version: "v1", "ai-mesh.io/workload": "model-server" },
    text: () => vllmText("vllm", MODEL, 12, 0.4, 0.35, 0.025),
  },
  {
    ip: "127.0.0.3",
    name: "chat-v2-5f8b6-fghij",
    labels: { app: "chat", version: "v2", "ai-mesh.io/workload": "model-server" },
    // The canary on the laptop's simulator: the same queries must read it.
    text: () => vllmText("simulator", MODEL, 2, 2.2, 0.8, 0.075),
  },
  { ip: "127.0.0.4", name: "web-v1-6c7d8-klmno", labels: { app: "web", version: "v1" }, text: () => WEB_TEXT },
];

/** A pod as Kubernetes discovery presents it: meta labels, its Envoy port declared. */
function discovered(pod: Pod) {
  const podLabels = Object.fromEntries(
    Object.entries(pod.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, "_")}`, v]),
  );
  return {
    targets: [`${pod.ip}:15090`],
    labels: {
      ...podLabels,
      __meta_kubernetes_namespace: "ai",
      __meta_kubernetes_pod_name: pod.name,
      __meta_kubernetes_pod_ip: pod.ip,
      __meta_kubernetes_pod_container_port_name: "http-envoy-prom",
    },
  };
}

/**
 * The operator's scrape config for the envoy-stats PodMonitor: the spec's relabelings, after the
 * target labels the operator adds to every PodMonitor (namespace, pod).
 */
function scrapeConfig() {
  const endpoint = envoyPodMonitorSpec().podMetricsEndpoints[0];
  return {
    job_name: "podMonitor/monitoring/envoy-stats/0",
    metrics_path: endpoint.path,
    scrape_interval: "1s",
    static_configs: PODS.map(discovered),
    relabel_configs: [
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
      ...endpoint.relabelings.map((r) => ({
        action: r.action,
        source_labels: r.sourceLabels,
        ...("regex" in r ? { regex: r.regex } : {}),
        ...("targetLabel" in r ? { target_label: r.targetLabel } : {}),
        ...("replacement" in r ? { replacement: r.replacement } : {}),
      })),
    ],
  };
}

async function query(prometheus: RunningPrometheus, expr: string) {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

const byVersion = (result: { metric: Record<string, string>; value: [number, string] }[]): Record<string, number> =>
  Object.fromEntries(result.map((r) => [r.metric.version, Math.round(Number(r.value[1]) * 1000) / 1000]));

describeWithTools(["prometheus"], "vLLM's series through the scrape config (a real Prometheus scraping)", () => {
  const servers: Server[] = [];
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    for (const pod of PODS) {
      const server = createServer((req, res) => {
        res.writeHead(req.url === "/stats/prometheus" ? 200 : 404, { "content-type": "text/plain; version=0.0.4" });
        res.end(req.url === "/stats/prometheus" ? pod.text() : "");
      });
      await new Promise<void>((resolve) => server.listen(MERGED_METRICS_PORT, pod.ip, resolve));
      servers.push(server);
    }
    prometheus = await startScrapingPrometheus([scrapeConfig()]);
    // Two scrapes at least, a few seconds apart, for rate().
    for (let attempt = 0; attempt < 150; attempt++) {
      const samples = await query(prometheus, "count_over_time(vllm:generation_tokens_total[1m])");
      if (samples.length === 2 && samples.every((s) => Number(s.value[1]) >= 4)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error("Prometheus never scraped the model servers");
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it("labels a model server's series with its pod's app and version, and leaves other pods' labels alone", async () => {
    const waiting = await query(prometheus, "vllm:num_requests_waiting");
    expect(
      waiting.map((r) => [r.metric.namespace, r.metric.app, r.metric.version, r.metric.model_name]).sort(),
    ).toEqual([
      ["ai", "chat", "v1", MODEL],
      ["ai", "chat", "v2", MODEL],
    ]);
    const web = await query(prometheus, "http_requests_total");
    expect(web.map((r) => r.metric)).toEqual([
      expect.objectContaining({ service: "web", version: "v1", pod: "web-v1-6c7d8-klmno" }),
    ]);
    expect(web[0].metric.app).toBeUndefined();
    expect(web[0].metric.exported_version).toBeUndefined();
  });

  it("gives KEDA each version's queue", async () => {
    const chat = llmServiceOf(parseConfig(stackRaw("dev")), "chat");
    for (const [i, version] of chat.versions.entries()) {
      const spec = scaledObjectSpec({
        service: chat,
        version,
        namespace: "ai",
        deployment: `chat-${version.name}`,
        prometheusUrl: prometheus.url,
      });
      const result = await query(prometheus, spec.triggers[0].metadata.query);
      expect(result.map((r) => Number(r.value[1]))).toEqual([[12, 2][i]]);
    }
  });

  it("draws every panel of the model's row per version, with the values served", async () => {
    const panels = Object.fromEntries(modelPanels("ai", "chat").map((p) => [p.title, p.expr]));
    expect(byVersion(await query(prometheus, panels["Waiting requests"]))).toEqual({ v1: 12, v2: 2 });
    expect(byVersion(await query(prometheus, panels["KV-cache utilization"]))).toEqual({ v1: 0.35, v2: 0.8 });
    const ttft = byVersion(await query(prometheus, panels["Time to first token (P99)"]));
    expect(ttft.v1).toBeLessThanOrEqual(0.5);
    expect(ttft.v2).toBeGreaterThan(1);
    expect(ttft.v2).toBeLessThanOrEqual(2.5);
    const tpot = byVersion(await query(prometheus, panels["Time per output token (P99)"]));
    // v1 (vLLM's name): every token in (10 ms, 25 ms]; v2 (the simulator's name): in (50 ms, 75 ms].
    // The P99 lands near the top of each bucket: each version read from its own server's series.
    expect(tpot.v1).toBeGreaterThan(0.01);
    expect(tpot.v1).toBeLessThanOrEqual(0.025);
    expect(tpot.v2).toBeGreaterThan(0.05);
    expect(tpot.v2).toBeLessThanOrEqual(0.075);
    const tokens = byVersion(await query(prometheus, panels["Generated tokens per second"]));
    // Both generate alike; over seconds of data a 5-minute rate is small, but never zero.
    expect(tokens.v1).toBeGreaterThan(0);
    expect(Math.abs(tokens.v1 - tokens.v2) / tokens.v1).toBeLessThan(0.2);
  });

  it("finds the slow model with the alert's own expression", async () => {
    const config = parseConfig(stackRaw("dev"));
    const rules = alertGroups(config.observability, config.services, true).flatMap((g) => g.rules);
    const ttft = rules.find((r) => r.alert === "LlmTimeToFirstTokenHigh")!;
    // v2's 2.2 s pulls the model's P99 over the dev stack's 2 s.
    expect((await query(prometheus, ttft.expr)).map((r) => [r.metric.namespace, r.metric.app])).toEqual([
      ["ai", "chat"],
    ]);
  });
});
