// A real Prometheus over synthetic Istio traffic: series written as OpenMetrics, turned into TSDB
// blocks by `promtool tsdb create-blocks-from openmetrics`, served on 127.0.0.1. The data spans an
// hour either side of now, so queries at "now" (as the canary driver makes them) see it.
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../cli/localServices";

export interface Traffic {
  namespace?: string;
  app: string;
  version: string;
  /** Requests per second (0: the version gets no traffic, no series at all). */
  rps: number;
  errorPercent: number;
  latencyMs: number;
  /** false: requests are counted but no latency histogram is exported (a proxy without it). */
  histogram?: boolean;
}

const BUCKETS = [50, 100, 250, 500, 1000, 2500, 5000, 10000];

function labels(t: Traffic, extra: Record<string, string>): string {
  const all = {
    reporter: "destination",
    destination_service_namespace: t.namespace ?? "ai",
    destination_service_name: t.app,
    destination_app: t.app,
    destination_version: t.version,
    ...extra,
  };
  return Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
}

/** OpenMetrics text for the traffic, from `from` to `to` (unix seconds), a sample every `step` s. */
export function openMetrics(traffic: Traffic[], from: number, to: number, step: number): string {
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  const series = (name: string, labelText: string, perStep: number) =>
    times.map((t, i) => `${name}{${labelText}} ${perStep * (i + 1)} ${t}`);
  const live = traffic.filter((t) => t.rps > 0);
  const lines = ["# TYPE istio_requests counter"];
  for (const t of live) {
    const errors = (t.rps * t.errorPercent) / 100;
    lines.push(...series("istio_requests_total", labels(t, { response_code: "200" }), (t.rps - errors) * step));
    if (errors > 0) lines.push(...series("istio_requests_total", labels(t, { response_code: "503" }), errors * step));
  }
  lines.push("# TYPE istio_request_duration_milliseconds histogram");
  for (const t of live.filter((t) => t.histogram !== false)) {
    const perStep = t.rps * step;
    for (const le of [...BUCKETS.map(String), "+Inf"]) {
      const inBucket = le === "+Inf" || Number(le) >= t.latencyMs ? perStep : 0;
      lines.push(...series("istio_request_duration_milliseconds_bucket", labels(t, { le }), inBucket));
    }
    lines.push(...series("istio_request_duration_milliseconds_count", labels(t, {}), perStep));
    lines.push(...series("istio_request_duration_milliseconds_sum", labels(t, {}), perStep * t.latencyMs));
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** Starts Prometheus in `dir` (holding prometheus.yml and, optionally, data/) and waits until it is ready. */
async function runPrometheus(dir: string): Promise<RunningPrometheus> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "prometheus",
    [
      "--config.file=prometheus.yml",
      "--storage.tsdb.path=data",
      // Prometheus deletes blocks older than retention at start-up.
      "--storage.tsdb.retention.time=100y",
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { cwd: dir, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 100 || child.exitCode !== null) throw new Error(`Prometheus did not become ready on ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Prometheus that scrapes what `scrapeConfigs` say (prometheus.yml's scrape_configs, as objects). */
export async function startScrapingPrometheus(scrapeConfigs: unknown[]): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-prom-"));
  fs.writeFileSync(
    path.join(dir, "prometheus.yml"),
    JSON.stringify({ global: { scrape_interval: "1s" }, scrape_configs: scrapeConfigs }),
  );
  return runPrometheus(dir);
}

/**
 * Builds blocks from the traffic and starts Prometheus on them; stop() ends it and removes the data.
 * `step`: seconds between samples (short analysis intervals need dense data: rate() wants two).
 */
export async function startPrometheus(traffic: Traffic[], step = 5, spanSeconds = 3600): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-prom-"));
  const now = Math.floor(Date.now() / 1000);
  fs.writeFileSync(path.join(dir, "data.om"), openMetrics(traffic, now - spanSeconds, now + spanSeconds, step));
  const blocks = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", "data.om", "data"], {
    cwd: dir,
    encoding: "utf8",
  });
  if (blocks.status !== 0) throw new Error(`promtool create-blocks-from failed:\n${blocks.stdout}${blocks.stderr}`);
  fs.writeFileSync(path.join(dir, "prometheus.yml"), "global: {}\n");
  return runPrometheus(dir);
}
