// A model canary never gives weight to a version whose pool has no ready endpoint: `npm run canary`
// reads the pool's pods and picker through the cluster before each step that raises a version from 0,
// and refuses with a message that says what is missing and what to wait for.
import { runCanary, type CanaryIO } from "../canary/driver";
import {
  assertPoolsReady,
  countReady,
  notReadyReason,
  PoolNotReady,
  raisedFromZero,
  type PoolReadiness,
} from "../canary/readiness";
import { promotionIO, type PoolReader } from "../canary/promote";
import { stepWeights } from "../canary/steps";
import { parseConfig } from "../components/config";
import { stackRaw } from "./support/configFixtures";
import { canarySettings } from "../canary/request";
import type { Weights } from "../components/core/weights";

const TARGET = { namespace: "ai", app: "chat" };
const LOADING: PoolReadiness = { pods: 1, readyPods: 0, pickerReady: 1 };
const READY: PoolReadiness = { pods: 2, readyPods: 1, pickerReady: 1 };
const REFUSAL =
  "refusing to give chat v2 weight: its InferencePool chat-v2 has no ready endpoint (0 of 1 model server pods ready), " +
  "so its share of the model's requests would fail with 503. Wait until kubectl -n ai get pods -l app=chat,version=v2 " +
  "shows a Ready pod (a model loads for up to its startupTimeout), then run the canary again.";

describe("raisedFromZero", () => {
  it("names the versions a move gives weight they did not have", () => {
    expect(raisedFromZero({ v1: 100, v2: 0 }, { v1: 95, v2: 5 })).toEqual(["v2"]);
    expect(raisedFromZero({ v1: 90, v2: 10 }, { v1: 50, v2: 50 })).toEqual([]);
    // A rollback after the last step gives the stable version its weight back from 0.
    expect(raisedFromZero({ v1: 0, v2: 100 }, { v1: 100, v2: 0 })).toEqual(["v1"]);
  });
});

describe("notReadyReason", () => {
  it("says which pool, what is missing and what to wait for", () => {
    expect(notReadyReason({ ...TARGET, version: "v2" }, LOADING)).toBe(REFUSAL);
    expect(notReadyReason({ ...TARGET, version: "v2" }, { pods: 1, readyPods: 1, pickerReady: 0 })).toContain(
      "has no ready endpoint (endpoint picker chat-v2-epp not ready)",
    );
    expect(notReadyReason({ ...TARGET, version: "v2" }, { pods: 0, readyPods: 0 })).toContain(
      "has no ready endpoint (0 of 0 model server pods ready; no endpoint picker chat-v2-epp)",
    );
    expect(notReadyReason({ ...TARGET, version: "v2" }, READY)).toBeUndefined();
  });

  it("counts Ready pods, not pods being deleted", () => {
    const pod = (ready: string, deleting = false) => ({
      metadata: deleting ? { deletionTimestamp: "2026-12-06T07:00:00Z" } : {},
      status: { conditions: [{ type: "Ready", status: ready }] },
    });
    expect(countReady({ items: [pod("True"), pod("False"), pod("True", true)] })).toEqual({ pods: 2, readyPods: 1 });
  });

  it("reads only the versions a move raises from 0", async () => {
    const read = jest.fn(async () => READY);
    await assertPoolsReady(TARGET, { v1: 90, v2: 10 }, { v1: 50, v2: 50 }, read);
    expect(read).not.toHaveBeenCalled();
    await expect(assertPoolsReady(TARGET, { v1: 100, v2: 0 }, { v1: 95, v2: 5 }, async () => LOADING)).rejects.toThrow(
      new PoolNotReady(REFUSAL),
    );
  });
});

describe("the promotion loop, for a model", () => {
  const settings = canarySettings({} as never, { interval: "1s" });
  const healthy = { requests: 500, successRate: 0.999, p99Ms: 100 };
  function io(readiness: (version: string) => PoolReadiness) {
    const applied: Weights[] = [];
    const fake: CanaryIO = {
      apply: async (weights) => void applied.push(weights),
      checkPools: (before, after) => assertPoolsReady(TARGET, before, after, async (v) => readiness(v)),
      measure: async () => healthy,
      wait: async () => undefined,
      log: () => undefined,
    };
    return { fake, applied };
  }
  const run = (current: Weights) => ({
    from: "v1",
    to: "v2",
    current,
    steps: stepWeights(current, "v1", "v2", settings.steps),
    settings,
  });

  it("refuses the first step while the new version's model is still loading, and applies nothing", async () => {
    const { fake, applied } = io(() => LOADING);
    await expect(runCanary(run({ v1: 100, v2: 0 }), fake)).rejects.toThrow(REFUSAL);
    expect(applied).toEqual([]);
  });

  it("promotes once the pool has a ready endpoint", async () => {
    const { fake, applied } = io(() => READY);
    const result = await runCanary(run({ v1: 100, v2: 0 }), fake);
    expect(result.outcome).toBe("promoted");
    expect(applied.map((w) => w.v2)).toEqual([5, 10, 25, 50, 100]);
  });

  it("checks nothing when the version already has weight", async () => {
    const { fake, applied } = io(() => LOADING);
    const result = await runCanary(run({ v1: 90, v2: 10 }), fake);
    expect(result.outcome).toBe("promoted");
    expect(applied[0]).toEqual({ v1: 75, v2: 25 });
  });
});

describe("npm run canary wires the pool check (promotionIO, as promote() runs it)", () => {
  const config = parseConfig(stackRaw("dev"));
  const settings = canarySettings({} as never, { interval: "1s" });
  /** The loop of promote() with a kubectl reader that reports `readiness` and records what it was asked. */
  function wired(serviceKey: string, readiness: PoolReadiness) {
    const applied: Weights[] = [];
    const asked: string[] = [];
    const readPools: PoolReader = (access, namespace, app) => async (version) => {
      asked.push(`${access.kubeconfig} ${namespace}/${app} ${version}`);
      return readiness;
    };
    const io = promotionIO({
      config,
      service: config.services.list.find((s) => s.key === serviceKey)!,
      interval: settings.interval,
      access: { kubeconfig: "/tmp/kubeconfig" },
      query: async () => null,
      apply: async (weights) => void applied.push(weights),
      log: () => undefined,
      readPools,
    });
    return { io, applied, asked };
  }

  it("refuses a model's first step while the new version's pool has no ready endpoint, and applies nothing", async () => {
    const { io, applied, asked } = wired("chat", LOADING);
    const current = { v1: 100, v2: 0 };
    const steps = stepWeights(current, "v1", "v2", settings.steps);
    await expect(runCanary({ from: "v1", to: "v2", current, steps, settings }, io)).rejects.toThrow(REFUSAL);
    expect(asked).toEqual(["/tmp/kubeconfig ai/chat v2"]);
    expect(applied).toEqual([]);
  });

  it("reads no pools for a service that is not a model", () => {
    expect(wired("objectDetector", LOADING).io.checkPools).toBeUndefined();
  });
});
