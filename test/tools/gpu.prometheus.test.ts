// The per-pod GPU panel on series shaped like the DCGM exporter's, scraped by a real Prometheus the
// way the operator scrapes the program's ServiceMonitor: its path and honorLabels, plus the target
// labels Kubernetes discovery gives the exporter's own pod (namespace, pod, container, service).
import { createServer, type Server } from "http";
import type { AddressInfo } from "net";
import { servicePanels } from "../../components/observability/dashboard";
import { dcgmServiceMonitorSpec } from "../../components/observability/scrape";
import { startScrapingPrometheus, type RunningPrometheus } from "../support/prometheus";
import { describeWithTools } from "../support/tools";

/** Two GPUs on two nodes, each used by an object-detector pod, as dcgm-exporter 4.x labels them. */
const EXPORTER_TEXT = [
  "# TYPE DCGM_FI_DEV_GPU_UTIL gauge",
  'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-5f3c",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="NVIDIA A10G",Hostname="ip-10-40-1-7",container="object-detector",namespace="ai",pod="object-detector-v1-6b9f7d-x2kq4"} 87',
  'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-8a1d",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="NVIDIA A10G",Hostname="ip-10-40-2-9",container="object-detector",namespace="ai",pod="object-detector-v2-5c8d4f-q7m2z"} 12',
  "",
].join("\n");

/** What the operator writes for the ServiceMonitor's endpoint, with the exporter pod as target. */
function scrapeConfig(target: string, honorLabels: boolean | undefined, path: string) {
  return {
    job_name: "serviceMonitor/monitoring/dcgm-exporter/0",
    honor_labels: honorLabels ?? false,
    metrics_path: path,
    scrape_interval: "1s",
    static_configs: [
      {
        targets: [target],
        labels: {
          namespace: "monitoring",
          pod: "dcgm-exporter-7xk2p",
          container: "exporter",
          service: "dcgm-exporter",
          endpoint: "metrics",
        },
      },
    ],
  };
}

async function query(prometheus: RunningPrometheus, expr: string) {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { data: { result: { metric: Record<string, string>; value: string[] }[] } };
  return body.data.result;
}

async function scraped(prometheus: RunningPrometheus): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await query(prometheus, "DCGM_FI_DEV_GPU_UTIL")).length === 2) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Prometheus never scraped the exporter");
}

describeWithTools(["prometheus"], "the GPU panel on DCGM exporter series (a real Prometheus scraping)", () => {
  let exporter: Server;
  let target: string;
  /** The dashboard row's GPU panel for object-detector in the services namespace. */
  const panel = () => servicePanels("ai", "object-detector", true).find((p) => p.title === "GPU utilization")!.expr;

  beforeAll(async () => {
    exporter = createServer((req, res) => {
      res.writeHead(req.url === "/metrics" ? 200 : 404, { "content-type": "text/plain; version=0.0.4" });
      res.end(req.url === "/metrics" ? EXPORTER_TEXT : "");
    });
    await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
    target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => exporter.close(resolve)));

  it("shows each object-detector pod's GPU with the program's ServiceMonitor (honorLabels)", async () => {
    const endpoint = dcgmServiceMonitorSpec().endpoints[0];
    const prometheus = await startScrapingPrometheus([scrapeConfig(target, endpoint.honorLabels, endpoint.path)]);
    try {
      await scraped(prometheus);
      const result = await query(prometheus, panel());
      expect(result.map((r) => [r.metric.pod, Number(r.value[1])]).sort()).toEqual([
        ["object-detector-v1-6b9f7d-x2kq4", 87],
        ["object-detector-v2-5c8d4f-q7m2z", 12],
      ]);
    } finally {
      await prometheus.stop();
    }
  }, 60_000);

  it("would show nothing without honorLabels: the exporter's labels become exported_*", async () => {
    const prometheus = await startScrapingPrometheus([scrapeConfig(target, false, "/metrics")]);
    try {
      await scraped(prometheus);
      expect(await query(prometheus, panel())).toEqual([]);
      const raw = await query(prometheus, "DCGM_FI_DEV_GPU_UTIL");
      expect(raw.map((r) => [r.metric.pod, r.metric.exported_pod]).sort()).toEqual([
        ["dcgm-exporter-7xk2p", "object-detector-v1-6b9f7d-x2kq4"],
        ["dcgm-exporter-7xk2p", "object-detector-v2-5c8d4f-q7m2z"],
      ]);
    } finally {
      await prometheus.stop();
    }
  }, 60_000);
});
