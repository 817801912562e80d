// The "AI services" Grafana dashboard: one row per service of the config, each with its traffic,
// success rate and p99 latency per version (and GPU use for GPU services), so a new service gets
// its row from the stack file alone. Pure: services in, dashboard JSON out.
import type { ServicesConfig } from "../config";
import { NOT_FIVE_XX, destinationMatchers, p99LatencyMs, requestsTotal } from "./istioMetrics";

export const DASHBOARD_UID = "ai-mesh-services";
const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface Panel {
  title: string;
  unit: string;
  expr: string;
  legend: string;
}

/** The PromQL of one service's panels: what a row shows. */
export function servicePanels(namespace: string, app: string, gpu: boolean): Panel[] {
  const matchers = destinationMatchers({ namespace, app });
  const requests = (extra = "") => requestsTotal(matchers, extra);
  const byVersion = "sum by (destination_version)";
  const panels: Panel[] = [
    {
      title: "Requests per second",
      unit: "reqps",
      expr: `${byVersion} (rate(${requests()}[5m]))`,
      legend: "{{destination_version}}",
    },
    {
      title: "Success rate (non-5xx)",
      unit: "percentunit",
      expr: `${byVersion} (rate(${requests(NOT_FIVE_XX)}[5m])) / ${byVersion} (rate(${requests()}[5m]))`,
      legend: "{{destination_version}}",
    },
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

export function aiServicesDashboard(services: ServicesConfig, gpuNodes: boolean) {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  services.list.forEach((service, row) => {
    const y = row * 9;
    panels.push({ id: id++, type: "row", title: service.app, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y } });
    const cells = servicePanels(services.namespace, service.app, gpuNodes && service.gpu > 0);
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
