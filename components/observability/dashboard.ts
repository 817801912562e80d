// The "AI services" Grafana dashboard: one row per service of the config, each with its traffic,
// success rate and p99 latency per version (and GPU use for GPU services); an llm service's row shows
// what matters for a model instead: time to first token, time per output token, tokens per second,
// queue and KV cache, per version. A new service gets its row from the stack file alone. Pure.
import { isLlm, type ServicesConfig } from "../config";
import { NOT_FIVE_XX, destinationMatchers, p99LatencyMs, requestsTotal } from "./istioMetrics";
import { VLLM, modelMatchers, modelQuantile, waitingRequests } from "./llmMetrics";

export const DASHBOARD_UID = "ai-mesh-services";
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface Panel {
  title: string;
  unit: string;
  expr: string;
  legend: string;
}

const BY_DESTINATION_VERSION = "sum by (destination_version)";

/** Non-5xx share of a service's requests per version, as its sidecars report them. */
function successRate(namespace: string, app: string): Panel {
  const requests = (extra = "") => requestsTotal(destinationMatchers({ namespace, app }), extra);
  const byVersion = BY_DESTINATION_VERSION;
  return {
    title: "Success rate (non-5xx)",
    unit: "percentunit",
    expr: `${byVersion} (rate(${requests(NOT_FIVE_XX)}[5m])) / ${byVersion} (rate(${requests()}[5m]))`,
    legend: "{{destination_version}}",
  };
}

/** The PromQL of one service's panels: what a row shows. */
export function servicePanels(namespace: string, app: string, gpu: boolean): Panel[] {
  const matchers = destinationMatchers({ namespace, app });
  const panels: Panel[] = [
    {
      title: "Requests per second",
      unit: "reqps",
      expr: `${BY_DESTINATION_VERSION} (rate(${requestsTotal(matchers)}[5m]))`,
      legend: "{{destination_version}}",
    },
    successRate(namespace, app),
    {
      title: "P99 latency",
      unit: "ms",
      expr: p99LatencyMs(matchers, "5m", "destination_version"),
      legend: "{{destination_version}}",
    },
  ];
  if (gpu) {
    panels.push({
      title: "GPU utilization",
      unit: "percent",
      expr: `avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="${namespace}",pod=~"${app}-.*"})`,
      legend: "{{pod}}",
    });
  }
  return panels;
}

/** An llm service's panels: the latencies users feel, the throughput, and the two signals that saturate. */
export function modelPanels(namespace: string, app: string): Panel[] {
  const matchers = modelMatchers({ namespace, app });
  const byVersion = "{{version}}";
  return [
    {
      title: "Time to first token (P99)",
      unit: "s",
      expr: modelQuantile(0.99, VLLM.timeToFirstToken, matchers, "5m", "version"),
      legend: byVersion,
    },
    {
      title: "Time per output token (P99)",
      unit: "s",
      expr: modelQuantile(0.99, VLLM.timePerOutputToken, matchers, "5m", "version"),
      legend: byVersion,
    },
    {
      title: "Generated tokens per second",
      unit: "short",
      expr: `sum by (version) (rate(${VLLM.generationTokens}{${matchers}}[5m]))`,
      legend: byVersion,
    },
    { title: "Waiting requests", unit: "short", expr: waitingRequests(matchers, "version"), legend: byVersion },
    {
      title: "KV-cache utilization",
      unit: "percentunit",
      expr: `avg by (version) (${VLLM.kvCacheUsage}{${matchers}})`,
      legend: byVersion,
    },
    successRate(namespace, app),
  ];
}

export function aiServicesDashboard(services: ServicesConfig, gpuNodes: boolean) {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  services.list.forEach((service, row) => {
    const y = row * 9;
    const title = isLlm(service) ? `${service.app}: ${service.model.name}` : service.app;
    panels.push({ id: id++, type: "row", title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y } });
    const cells = isLlm(service)
      ? modelPanels(services.namespace, service.app)
      : servicePanels(services.namespace, service.app, gpuNodes && service.gpu > 0);
    const width = 24 / cells.length;
    cells.forEach((panel, i) =>
      panels.push({
        id: id++,
        type: "timeseries",
        title: `${service.app}: ${panel.title}`,
        datasource: DATASOURCE,
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        gridPos: { h: 8, w: width, x: i * width, y: y + 1 },
        targets: [{ refId: "A", datasource: DATASOURCE, expr: panel.expr, legendFormat: panel.legend }],
      }),
    );
  });
  return {
    uid: DASHBOARD_UID,
    title: "AI services",
    tags: ["ai-mesh"],
    schemaVersion: 39,
    timezone: "browser",
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    panels,
  };
}
