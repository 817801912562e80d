import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../components/config";
import { isRoutingChange, routeWeights } from "../canary/apply";
import { Interrupted, retryDelays, runCanary, type CanaryIO, type CanaryRun } from "../canary/driver";
import { kubectlQuery, measure } from "../canary/prometheus";
import type { PromoteResult } from "../canary/promote";
import { closingLines } from "../canary/report";
import { canaryOverrides, canarySettings, requestPromotion } from "../canary/request";
import { versionQueries } from "../canary/queries";
import { defaultFrom, rollbackWeights, stepWeights } from "../canary/steps";
import type { Weights } from "../components/core/weights";
import { checkVersion, next, type Metrics } from "../canary/verdict";
import { devRawWith, serviceOf } from "./support/configFixtures";

const SETTINGS = {
  steps: [5, 10, 25, 50, 100],
  interval: "1m",
  maxErrorRatePercent: 1,
  maxP99Ms: 2000,
  minRequests: 20,
  threshold: 2,
};
const healthy: Metrics = { requests: 500, successRate: 0.999, p99Ms: 180 };

/** v2 promoted over v1 from 0, in the default steps. */
const fromZero = (): CanaryRun => ({
  from: "v1",
  to: "v2",
  current: { v1: 100, v2: 0 },
  steps: stepWeights({ v1: 100, v2: 0 }, "v1", "v2", SETTINGS.steps),
  settings: SETTINGS,
});

describe("weight moves", () => {
  it("moves the target up step by step from the heaviest version, other versions untouched", () => {
    const current = { v1: 90, v2: 10, v3: 0 };
    expect(defaultFrom(current, "v2")).toBe("v1");
    expect(stepWeights(current, "v1", "v2", [5, 10, 25, 50, 100])).toEqual([
      { v1: 75, v2: 25, v3: 0 },
      { v1: 50, v2: 50, v3: 0 },
      { v1: 0, v2: 100, v3: 0 },
    ]);
  });

  it("caps the target at what it and the stable version hold together", () => {
    expect(stepWeights({ v1: 60, v2: 30, v3: 10 }, "v1", "v3", [25, 50, 100])).toEqual([
      { v1: 45, v2: 30, v3: 25 },
      { v1: 20, v2: 30, v3: 50 },
      { v1: 0, v2: 30, v3: 70 },
    ]);
  });

  it("rolls back by giving the target's share to the stable version", () => {
    expect(rollbackWeights({ v1: 50, v2: 50, v3: 0 }, "v1", "v2")).toEqual({ v1: 100, v2: 0, v3: 0 });
  });

  it("refuses to move weight from nowhere", () => {
    expect(() => defaultFrom({ v1: 100 }, "v1")).toThrow(
      "v1 is the only version; there is nothing to move weight from",
    );
  });
});

describe("PromQL per service and version", () => {
  it("asks Istio's destination-reported metrics over the interval", () => {
    expect(versionQueries("ai", "object-detector", "v2", "1m")).toEqual({
      requests:
        'sum(increase(istio_requests_total{reporter="destination",destination_service_namespace="ai",destination_app="object-detector",destination_version="v2"}[1m]))',
      successRate:
        '(sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="ai",destination_app="object-detector",destination_version="v2",response_code!~"5.."}[1m])) or vector(0)) / sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="ai",destination_app="object-detector",destination_version="v2"}[1m]))',
      p99Ms:
        'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="ai",destination_app="object-detector",destination_version="v2"}[1m])))',
    });
  });
});

describe("verdicts", () => {
  it("passes a healthy canary, fails one above the thresholds or clearly worse than stable", () => {
    expect(checkVersion(healthy, healthy, SETTINGS)).toEqual({ outcome: "pass", reasons: [] });
    expect(checkVersion({ requests: 500, successRate: 0.95, p99Ms: 2500 }, healthy, SETTINGS)).toEqual({
      outcome: "fail",
      reasons: [
        "error rate 5.00% above 1%",
        "p99 2500 ms above 2000 ms",
        "error rate 5.00% more than 1 point above stable's 0.10%",
        "p99 2500 ms more than 20% above stable's 180 ms",
      ],
    });
    // Within the absolute thresholds but clearly slower than stable.
    expect(checkVersion({ ...healthy, p99Ms: 400 }, healthy, SETTINGS).reasons).toEqual([
      "p99 400 ms more than 20% above stable's 180 ms",
    ]);
  });

  it("never passes without traffic: it holds", () => {
    expect(checkVersion({ requests: 3, successRate: 1, p99Ms: 10 }, healthy, SETTINGS)).toEqual({
      outcome: "hold",
      reasons: ["3 requests, fewer than 20"],
    });
  });

  it("never passes without latency data either: requests but no histogram series hold", () => {
    expect(checkVersion({ requests: 500, successRate: 1, p99Ms: null }, healthy, SETTINGS)).toEqual({
      outcome: "hold",
      reasons: ["no latency data (no istio_request_duration_milliseconds_bucket series for the version)"],
    });
  });

  it("holds up to threshold intervals, then counts no traffic as failures, and rolls back beyond threshold", () => {
    const hold = { outcome: "hold" as const, reasons: [] };
    let state = { failures: 0, holds: 0 };
    const decisions = [];
    for (let i = 0; i < 5; i++) {
      const decision = next(state, hold, 2);
      state = decision.state;
      decisions.push(decision.next);
    }
    expect(decisions).toEqual(["recheck", "recheck", "recheck", "recheck", "rollback"]);
    expect(next({ failures: 2, holds: 0 }, { outcome: "pass", reasons: [] }, 2).next).toBe("advance");
  });
});

describe("the promotion loop", () => {
  function io(metrics: (version: string, call: number) => Metrics) {
    const applied: Weights[] = [];
    let calls = 0;
    const fake: CanaryIO = {
      apply: async (weights) => void applied.push(weights),
      measure: async (version) => metrics(version, calls++),
      wait: async () => undefined,
      log: () => undefined,
    };
    return { fake, applied };
  }
  const run = (current: Weights): CanaryRun => ({
    from: "v1",
    to: "v2",
    current,
    steps: stepWeights(current, "v1", "v2", SETTINGS.steps),
    settings: SETTINGS,
  });

  it("promotes a healthy canary to 100", async () => {
    const { fake, applied } = io(() => healthy);
    const result = await runCanary(run({ v1: 100, v2: 0 }), fake);
    expect(result.outcome).toBe("promoted");
    expect(applied.map((w) => w.v2)).toEqual([5, 10, 25, 50, 100]);
    expect(result.weights).toEqual({ v1: 0, v2: 100 });
  });

  it("rolls back a failing canary after more than threshold failed checks", async () => {
    const { fake, applied } = io((version) =>
      version === "v2" ? { requests: 500, successRate: 0.95, p99Ms: 100 } : healthy,
    );
    const result = await runCanary(run({ v1: 100, v2: 0 }), fake);
    expect(result.outcome).toBe("rolled-back");
    expect(result.checks.map((c) => c.outcome)).toEqual(["fail", "fail", "fail"]);
    expect(applied).toEqual([
      { v1: 95, v2: 5 },
      { v1: 100, v2: 0 },
    ]);
    expect(result.reason).toBe(
      "3 failed checks, more than the 2 tolerated; last: error rate 5.00% above 1%; error rate 5.00% more than 1 point above stable's 0.10%",
    );
  });
});

describe("when the metrics are missing or Prometheus is down", () => {
  const run = fromZero;

  it("spreads retries over exactly one interval, doubling from a second, at most 15 s apart", () => {
    expect(retryDelays(60_000)).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(retryDelays(3000)).toEqual([1000, 2000]);
    expect(retryDelays(60_000).reduce((a, b) => a + b)).toBe(60_000);
  });

  it("a canary whose latency is never measured holds, then fails, then rolls back: never promoted", async () => {
    const applied: Weights[] = [];
    const result = await runCanary(run(), {
      apply: async (weights) => void applied.push(weights),
      measure: async () => ({ requests: 500, successRate: 1, p99Ms: null }),
      wait: async () => undefined,
      log: () => undefined,
    });
    expect(result.outcome).toBe("rolled-back");
    expect(result.checks.map((c) => c.outcome)).toEqual(["hold", "hold", "hold", "hold", "hold"]);
    expect(result.checks.map((c) => c.next)).toEqual(["recheck", "recheck", "recheck", "recheck", "rollback"]);
    expect(applied).toEqual([
      { v1: 95, v2: 5 },
      { v1: 100, v2: 0 },
    ]);
  });

  it("retries a failing query within the interval, and goes on when Prometheus comes back", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await runCanary(run(), {
      apply: async () => undefined,
      measure: async () => {
        if (++calls <= 2) throw new Error("connect ECONNREFUSED 127.0.0.1:9090");
        return healthy;
      },
      wait: async (ms) => void waits.push(ms),
      log: () => undefined,
    });
    expect(result.outcome).toBe("promoted");
    expect(waits.slice(0, 3)).toEqual([60_000, 1000, 2000]);
  });

  it("rolls back when Prometheus stays down for a whole interval, and says so", async () => {
    const applied: Weights[] = [];
    const lines: string[] = [];
    const result = await runCanary(run(), {
      apply: async (weights) => void applied.push(weights),
      measure: async () => {
        throw new Error("Prometheus answered 503 for http://prometheus/api/v1/query");
      },
      wait: async () => undefined,
      log: (line) => lines.push(line),
    });
    expect(result).toMatchObject({
      outcome: "rolled-back",
      reason:
        "no metrics for v2 within 60 s: Prometheus answered 503 for http://prometheus/api/v1/query; not promoting unobserved",
      weights: { v1: 100, v2: 0 },
    });
    expect(applied).toEqual([
      { v1: 95, v2: 5 },
      { v1: 100, v2: 0 },
    ]);
    expect(lines.filter((l) => l.includes("retrying in"))).toHaveLength(retryDelays(60_000).length);
  });
});

describe("queries through kubectl (no --prometheus)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-kubectl-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** A kubectl that notes its pid and arguments, then never answers (an API server that hangs); sh starts fast. */
  const silentKubectl = path.join(dir, "kubectl");
  fs.writeFileSync(silentKubectl, `#!/bin/sh\necho "$$ $*" >> "${path.join(dir, "calls")}"\nexec sleep 60\n`, {
    mode: 0o755,
  });
  const calls = () =>
    fs
      .readFileSync(path.join(dir, "calls"), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(" "))
      .map(([pid, ...args]) => ({ pid: Number(pid), args }));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const target = {
    namespace: "monitoring",
    service: "kps-prometheus",
    port: 9090,
    kubectl: silentKubectl,
    timeoutMs: 200,
  };

  it("gives every query a deadline: past it the query fails and kubectl is killed", async () => {
    const started = Date.now();
    await expect(kubectlQuery(target)("up")).rejects.toThrow(
      "Prometheus monitoring/kps-prometheus (through the API server with kubectl) did not answer within 0.2 s",
    );
    expect(Date.now() - started).toBeLessThan(2000);
    const [call] = calls();
    expect(call.args).toEqual([
      "--request-timeout=1s",
      "get",
      "--raw",
      "/api/v1/namespaces/monitoring/services/kps-prometheus:9090/proxy/api/v1/query?query=up",
    ]);
    // Killed at the deadline; reaped within a moment even on a busy machine.
    for (let waited = 0; alive(call.pid) && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alive(call.pid)).toBe(false);
  });

  it("counts a query that never answers like Prometheus down: retried over the interval, then rolled back", async () => {
    const query = kubectlQuery(target);
    const applied: Weights[] = [];
    const started = Date.now();
    const result = await runCanary(
      { ...fromZero(), settings: { ...SETTINGS, interval: "3s" } },
      {
        apply: async (weights) => void applied.push(weights),
        measure: (version) => measure(query, versionQueries("ai", "object-detector", version, "3s")),
        wait: async () => undefined,
        log: () => undefined,
      },
    );
    expect(result).toMatchObject({
      outcome: "rolled-back",
      reason:
        "no metrics for v2 within 3 s: Prometheus monitoring/kps-prometheus (through the API server with kubectl) did not answer within 0.2 s; not promoting unobserved",
      weights: { v1: 100, v2: 0 },
    });
    expect(applied).toEqual([
      { v1: 95, v2: 5 },
      { v1: 100, v2: 0 },
    ]);
    // retryDelays(3000) is two retries: three tries of a deadline each, not a hang.
    expect(Date.now() - started).toBeLessThan(5000);
  }, 10_000);
});

describe("an interrupted promotion", () => {
  it("stops with the weights last applied, for resuming or --rollback", async () => {
    const applied: Weights[] = [];
    let waits = 0;
    const result = await runCanary(fromZero(), {
      apply: async (weights) => void applied.push(weights),
      measure: async () => healthy,
      wait: async () => {
        if (++waits === 2) throw new Interrupted();
      },
      log: () => undefined,
    });
    expect(result).toMatchObject({ outcome: "interrupted", weights: { v1: 90, v2: 10 } });
    expect(applied).toEqual([
      { v1: 95, v2: 5 },
      { v1: 90, v2: 10 },
    ]);
  });

  it("reports what an update cut short left deployed, not the step before", async () => {
    const result = await runCanary(fromZero(), {
      apply: async () => {
        throw new Interrupted({ v1: 95, v2: 5 });
      },
      measure: async () => healthy,
      wait: async () => undefined,
      log: () => undefined,
    });
    expect(result).toMatchObject({ outcome: "interrupted", weights: { v1: 95, v2: 5 } });
  });

  it("ends interrupted, not thrown, when Ctrl-C comes during the rollback that follows an outage", async () => {
    const applied: Weights[] = [];
    const result = await runCanary(fromZero(), {
      apply: async (weights, label) => {
        // The rollback's update is cut short before it reached the cluster.
        if (label === "rollback") throw new Interrupted();
        applied.push(weights);
      },
      measure: async () => {
        throw new Error("Prometheus answered 503 for http://prometheus/api/v1/query");
      },
      wait: async () => undefined,
      log: () => undefined,
    });
    expect(result).toMatchObject({
      outcome: "interrupted",
      reason:
        "while rolling back: no metrics for v2 within 60 s: Prometheus answered 503 for http://prometheus/api/v1/query; not promoting unobserved",
      weights: { v1: 95, v2: 5 },
    });
    expect(applied).toEqual([{ v1: 95, v2: 5 }]);
    const promoted: PromoteResult = { ...result, from: "v1", to: "v2", start: { v1: 100, v2: 0 } };
    expect(
      closingLines(promoted, { stack: "dev", service: "objectDetector", report: "out/canary/dev-objectDetector.json" }),
    ).toEqual([
      "",
      "■ interrupted at v1 95, v2 5 (while rolling back: no metrics for v2 within 60 s: Prometheus answered 503 for http://prometheus/api/v1/query; not promoting unobserved); the stack file and the cluster agree",
      "report: out/canary/dev-objectDetector.json",
      "resume:   npm run canary -- --stack dev --service objectDetector --to v2",
      "rollback: npm run canary -- --stack dev --service objectDetector --rollback",
    ]);
  });

  it("reads the deployed weights from a VirtualService in the state; a version it omits has 0", () => {
    const vs = {
      urn: "u",
      type: "kubernetes:networking.istio.io/v1:VirtualService",
      outputs: {
        spec: {
          http: [
            {
              route: [
                { destination: { subset: "v1" }, weight: 5 },
                { destination: { subset: "v2" }, weight: 95 },
              ],
            },
          ],
        },
      },
    };
    expect(routeWeights(vs, "object-detector", ["v1", "v2", "v3"])).toEqual({ v1: 5, v2: 95, v3: 0 });
  });

  it("reads a model's weights from its HTTPRoute's pools; a pool left out has 0, one without a weight 1", () => {
    const route = {
      urn: "u",
      type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
      outputs: {
        spec: {
          rules: [
            {
              backendRefs: [
                { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v1", weight: 90 },
                { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v2", weight: 10 },
              ],
            },
          ],
        },
      },
    };
    expect(routeWeights(route, "chat", ["v1", "v2", "v3"])).toEqual({ v1: 90, v2: 10, v3: 0 });
    const unweighted = { ...route, outputs: { spec: { rules: [{ backendRefs: [{ name: "chat-v1" }] }] } } };
    expect(routeWeights(unweighted, "chat", ["v1", "v2"])).toEqual({ v1: 1, v2: 0 });
  });

  it("resumes where it stopped: steps at or below the target's weight are done", () => {
    expect(stepWeights({ v1: 90, v2: 10 }, "v1", "v2", SETTINGS.steps).map((w) => w.v2)).toEqual([25, 50, 100]);
  });
});

describe("canary config", () => {
  it("has Flagger-like defaults per service, and refuses steps that do not end at 100", () => {
    const detector = serviceOf(parseConfig(devRawWith(() => undefined)), "objectDetector");
    expect(detector.canary).toEqual(SETTINGS);
    expect(() => parseConfig(devRawWith((r) => (r.services.objectDetector.canary = { steps: [10, 50, 40] })))).toThrow(
      "services.objectDetector.canary.steps: must increase step by step",
    );
    expect(() => parseConfig(devRawWith((r) => (r.services.web.canary = { steps: [10, 50] })))).toThrow(
      "services.web.canary.steps: must end at 100",
    );
  });

  it("validates command-line overrides as config is", () => {
    expect(canarySettings(SETTINGS, { steps: [50, 100], interval: "30s" })).toMatchObject({
      steps: [50, 100],
      interval: "30s",
    });
    expect(() => canarySettings(SETTINGS, { steps: [50, 90] })).toThrow(
      "invalid canary settings: --steps: must end at 100",
    );
    expect(() => canarySettings(SETTINGS, { interval: "soon" })).toThrow(
      "invalid canary settings: --interval: must be a duration such as 500ms, 10s, 5m or 1h",
    );
    expect(() => canarySettings(SETTINGS, { maxErrorRatePercent: 120 })).toThrow(
      "invalid canary settings: --max-error-rate: Too big: expected number to be <=100",
    );
  });

  it("takes the thresholds from flags: --max-error-rate, --max-p99-ms, --min-requests, --threshold", () => {
    const flags: Record<string, string> = {
      "max-error-rate": "0.5",
      "max-p99-ms": "800",
      "min-requests": "50",
      threshold: "1",
      steps: "20,100",
    };
    expect(canaryOverrides((flag) => flags[flag])).toEqual({
      maxErrorRatePercent: 0.5,
      maxP99Ms: 800,
      minRequests: 50,
      threshold: 1,
      steps: [20, 100],
    });
    expect(() => canaryOverrides((flag) => (flag === "max-p99-ms" ? "fast" : undefined))).toThrow(
      'invalid canary settings: --max-p99-ms: "fast" is not a number',
    );
  });

  it("lets a canary step change routes only: VirtualServices, the HTTPRoutes of models and their InferenceObjectives", () => {
    const vs = "kubernetes:networking.istio.io/v1:VirtualService";
    expect(isRoutingChange({ op: "update", type: vs, name: "platform-web-vs", urn: "u" })).toBe(true);
    const route = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
    expect(isRoutingChange({ op: "update", type: route, name: "platform-chat-route", urn: "u" })).toBe(true);
    // Its poolRef follows the heaviest version (components/inference/objective.ts).
    const objective = "kubernetes:inference.networking.x-k8s.io/v1alpha2:InferenceObjective";
    expect(isRoutingChange({ op: "update", type: objective, name: "platform-chat-objective", urn: "u" })).toBe(true);
    expect(isRoutingChange({ op: "replace", type: objective, name: "platform-chat-objective", urn: "u" })).toBe(false);
    const pool = "kubernetes:helm.sh/v3:Release";
    expect(isRoutingChange({ op: "update", type: pool, name: "platform-chat-v1-pool", urn: "u" })).toBe(false);
    expect(isRoutingChange({ op: "replace", type: vs, name: "platform-web-vs", urn: "u" })).toBe(false);
    expect(isRoutingChange({ op: "update", type: "kubernetes:apps/v1:Deployment", name: "d", urn: "u" })).toBe(false);
  });
});

describe("a promotion is checked against the stack file before anything needs Pulumi", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-canary-test-"));
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));
  const request = (extra: Record<string, unknown>) =>
    requestPromotion({
      workDir: path.join(__dirname, ".."),
      stack: "dev",
      service: "objectDetector",
      outDir,
      ...extra,
    });

  it("works out stable, target, start and settings from Pulumi.dev.yaml", () => {
    expect(request({ to: "v2", overrides: { minRequests: 50 } })).toMatchObject({
      kind: "promote",
      from: "v1",
      to: "v2",
      start: { v1: 90, v2: 10, v3: 0 },
      settings: { ...SETTINGS, minRequests: 50 },
    });
  });

  it("refuses an unknown service, an undeclared version, a bad --from and a rollback with nothing under way", () => {
    expect(() => request({ service: "nope", to: "v2" })).toThrow(
      /^--service nope: no such service in .*Pulumi\.dev\.yaml; services: web, imageProcessor, objectDetector, chat$/,
    );
    expect(() => request({ to: "v9" })).toThrow("--to v9: not a version of objectDetector; declared: v1, v2, v3");
    expect(() => request({ to: "v2", from: "v2" })).toThrow(
      "--from v2: must be another version of objectDetector; declared: v1, v2, v3",
    );
    expect(() => request({ service: "web", to: "v1" })).toThrow(
      "--to v1: web has one version; there is nothing to move weight from",
    );
    expect(() => request({ rollback: true })).toThrow(
      /^--rollback: no promotion of objectDetector on dev is under way \(no .*dev-objectDetector\.state\.json\); nothing to roll back$/,
    );
    expect(() => request({ stack: "nope", to: "v2" })).toThrow(
      `--stack nope: there is no Pulumi.nope.yaml in ${path.join(__dirname, "..")}; the stacks are dev, local`,
    );
  });
});

describe("npm run canary", () => {
  const root = path.join(__dirname, "..");
  const canary = (...args: string[]) =>
    spawnSync(process.execPath, ["scripts/run.cjs", "scripts/canary.ts", ...args], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: path.dirname(process.execPath), HOME: os.tmpdir() },
    });
  const run = (...args: string[]) => canary("--stack", "dev", ...args);

  it("refuses bad arguments from the stack file alone, with no Pulumi CLI on PATH", () => {
    const undeclared = run("--service", "objectDetector", "--to=v9");
    expect([undeclared.status, undeclared.stderr.trim()]).toEqual([
      2,
      "✗ --to v9: not a version of objectDetector; declared: v1, v2, v3",
    ]);
    const unknown = run("--service", "detector", "--to", "v2");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^✗ --service detector: no such service in /);
    expect(unknown.stderr).not.toMatch(/ENOENT|pulumi/);
    const nosuch = canary("--stack", "nosuch", "--service", "objectDetector", "--to", "v2");
    expect([nosuch.status, nosuch.stderr.trim()]).toEqual([
      2,
      `✗ --stack nosuch: there is no Pulumi.nosuch.yaml in ${root}; the stacks are dev, local`,
    ]);
  }, 30_000);

  it("says the Pulumi CLI is not on PATH and how to get it, not the Automation API's ENOENT", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
    try {
      const noPulumi = run("--service", "objectDetector", "--to", "v2", "--out", out);
      expect([noPulumi.status, noPulumi.stdout, noPulumi.stderr]).toEqual([
        1,
        "",
        "✗ the Pulumi CLI is not on PATH (the Automation API runs it): install it (curl -fsSL https://get.pulumi.com | sh, or https://www.pulumi.com/docs/install/) and open a new shell\n",
      ]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);

  it("prints its usage for --help (exit 0), and with a refusal for a flag it does not know (exit 2)", () => {
    const help = canary("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(
      /^usage: npm run canary -- --stack <stack> --service <service> --to <version> \[--from <version>\]\n/,
    );
    expect(help.stdout).toContain(
      "\n  --rollback                 restore the weights the promotion under way started from\n",
    );
    const typo = canary("--stak", "dev", "--service", "objectDetector", "--to", "v2");
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe(`✗ unknown flag --stak (did you mean --stack?)\n\n${help.stdout}`);
    const missing = run("--service", "objectDetector");
    expect([missing.status, missing.stderr.trim()]).toEqual([
      2,
      "✗ --to <version> or --rollback is required (see --help)",
    ]);
  }, 30_000);
});
