// The canary's queries and verdicts against a real Prometheus (synthetic Istio traffic): a healthy
// canary promotes, a canary at 5 % errors rolls back, a canary without traffic or without latency
// data holds, then fails; a Prometheus that is down or answers errors rolls the canary back.
import { createServer } from "http";
import type { AddressInfo } from "net";
import { runCanary, type CanaryIO } from "../../canary/driver";
import { httpQuery, measure } from "../../canary/prometheus";
import { versionQueries } from "../../canary/queries";
import { stepWeights } from "../../canary/steps";
import type { Weights } from "../../components/core/weights";
import { startPrometheus, type RunningPrometheus } from "../support/prometheus";
import { describeWithTools } from "../support/tools";

const SETTINGS = {
  steps: [10, 50, 100],
  interval: "1m",
  maxErrorRatePercent: 1,
  maxP99Ms: 1000,
  minRequests: 20,
  threshold: 2,
};

describeWithTools(["promtool", "prometheus"], "canary analysis on a real Prometheus", () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus([
      { app: "healthy", version: "v1", rps: 20, errorPercent: 0.1, latencyMs: 90 },
      { app: "healthy", version: "v2", rps: 5, errorPercent: 0, latencyMs: 90 },
      { app: "failing", version: "v1", rps: 20, errorPercent: 0, latencyMs: 90 },
      { app: "failing", version: "v2", rps: 5, errorPercent: 5, latencyMs: 90 },
      { app: "silent", version: "v1", rps: 20, errorPercent: 0, latencyMs: 90 },
      { app: "silent", version: "v2", rps: 0, errorPercent: 0, latencyMs: 90 },
      { app: "unmeasured", version: "v1", rps: 20, errorPercent: 0, latencyMs: 90 },
      { app: "unmeasured", version: "v2", rps: 5, errorPercent: 0, latencyMs: 90, histogram: false },
    ]);
  }, 60_000);
  afterAll(() => prometheus?.stop());

  async function promote(app: string, url = prometheus.url) {
    const query = httpQuery(url);
    const applied: Weights[] = [];
    const io: CanaryIO = {
      apply: async (weights) => void applied.push(weights),
      measure: (version) => measure(query, versionQueries("ai", app, version, SETTINGS.interval)),
      wait: async () => undefined,
      log: () => undefined,
    };
    const current = { v1: 100, v2: 0 };
    const result = await runCanary(
      { from: "v1", to: "v2", current, steps: stepWeights(current, "v1", "v2", SETTINGS.steps), settings: SETTINGS },
      io,
    );
    return { result, applied };
  }

  it("reads requests, success rate and p99 of a version", async () => {
    const metrics = await measure(httpQuery(prometheus.url), versionQueries("ai", "failing", "v2", "1m"));
    expect(metrics.requests).toBeCloseTo(300, -1);
    expect(metrics.successRate).toBeCloseTo(0.95, 3);
    expect(metrics.p99Ms).toBeGreaterThan(50);
    expect(metrics.p99Ms).toBeLessThanOrEqual(100);
  });

  it("promotes a healthy canary to 100", async () => {
    const { result, applied } = await promote("healthy");
    expect(result.outcome).toBe("promoted");
    expect(applied.map((w) => w.v2)).toEqual([10, 50, 100]);
    expect(result.checks.every((c) => c.outcome === "pass")).toBe(true);
  });

  it("rolls back a canary at 5% errors", async () => {
    const { result, applied } = await promote("failing");
    expect(result.outcome).toBe("rolled-back");
    expect(result.checks.map((c) => c.outcome)).toEqual(["fail", "fail", "fail"]);
    expect(result.checks[0].reasons[0]).toMatch(/^error rate 5\.\d\d% above 1%$/);
    expect(applied).toEqual([
      { v1: 90, v2: 10 },
      { v1: 100, v2: 0 },
    ]);
  });

  it("holds a canary without traffic, then fails it: no traffic is never a pass", async () => {
    const { result } = await promote("silent");
    expect(result.outcome).toBe("rolled-back");
    expect(result.checks.map((c) => c.outcome)).toEqual(["hold", "hold", "hold", "hold", "hold"]);
    expect(result.checks.map((c) => c.next)).toEqual(["recheck", "recheck", "recheck", "recheck", "rollback"]);
    expect(result.checks[0].reasons).toEqual(["0 requests, fewer than 20"]);
  });

  it("holds a canary with traffic but no latency histogram, then fails it: latency unchecked is no pass", async () => {
    const metrics = await measure(httpQuery(prometheus.url), versionQueries("ai", "unmeasured", "v2", "1m"));
    expect(metrics.requests).toBeGreaterThan(200);
    expect(metrics.p99Ms).toBeNull();
    const { result, applied } = await promote("unmeasured");
    expect(result.outcome).toBe("rolled-back");
    expect(result.checks.map((c) => c.outcome)).toEqual(["hold", "hold", "hold", "hold", "hold"]);
    expect(result.checks[0].reasons).toEqual([
      "no latency data (no istio_request_duration_milliseconds_bucket series for the version)",
    ]);
    expect(applied).toEqual([
      { v1: 90, v2: 10 },
      { v1: 100, v2: 0 },
    ]);
  });

  it("rolls back when Prometheus is down (nothing listens), after retrying for an interval", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const { result, applied } = await promote("healthy", `http://127.0.0.1:${port}`);
    expect(result.outcome).toBe("rolled-back");
    expect(result.reason).toBe(
      `no metrics for v2 within 60 s: Prometheus at http://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}; not promoting unobserved`,
    );
    expect(result.checks).toEqual([]);
    expect(applied).toEqual([
      { v1: 90, v2: 10 },
      { v1: 100, v2: 0 },
    ]);
  });

  it("rolls back when Prometheus answers with errors", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("Service Unavailable");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { result } = await promote("healthy", url);
      expect(result.outcome).toBe("rolled-back");
      expect(result.reason).toContain("Prometheus answered 503 for");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
