// What every service shares: JSON access logs, unknown routes, a shutdown that lets requests in
// flight finish up to a deadline, and the CPU count thread pools are sized to.
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cpuLimit } from "../common/cpus";
import { HttpError } from "../common/http";
import { LINGER_MS, createService, type Route } from "../common/server";
import { captured, trickle } from "./support/harness";

function gate(): { wait: Promise<void>; open: () => void; entered: Promise<void>; enter: () => void } {
  let open!: () => void;
  let enter!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  return { wait, open, entered, enter };
}

function slowService(shutdownTimeoutMs: number) {
  const out = captured("svc");
  const slow = gate();
  const route: Route = {
    method: "GET",
    path: "/slow",
    async handle(_req, res) {
      slow.enter();
      await slow.wait;
      res.end("done");
    },
  };
  return { out, slow, service: createService({ ...out, routes: [route], shutdownTimeoutMs }) };
}

describe("service shutdown", () => {
  it("finishes the request in flight, refuses new connections, then stops", async () => {
    const { out, slow, service } = slowService(5000);
    const url = await service.listen(0, "127.0.0.1");
    const inFlight = fetch(`${url}/slow`);
    await slow.entered;
    let stopped = false;
    const stopping = service.shutdown("SIGTERM").then(() => (stopped = true));
    await assert.rejects(fetch(`${url}/healthz`), /fetch failed/);
    assert.equal(stopped, false, "shutdown waits for the request in flight");
    slow.open();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "done");
    await stopping;
    assert.deepEqual(
      out.lines.map((line) => line.msg),
      ["listening", "shutting down", "request", "stopped"],
    );
    assert.equal(out.lines[1].reason, "SIGTERM");
  });

  it("closes connections still busy at the deadline", async () => {
    const { out, slow, service } = slowService(100);
    const url = await service.listen(0, "127.0.0.1");
    const inFlight = fetch(`${url}/slow`);
    await slow.entered;
    await service.shutdown("SIGTERM");
    await assert.rejects(inFlight, /fetch failed/);
    assert.ok(
      out.lines.some(
        (line) => line.msg === "requests still in flight at the shutdown deadline; closing their connections",
      ),
    );
    slow.open();
  });
});

describe("service requests", () => {
  it("logs each request as one JSON object with its ids, but not probes", async () => {
    const out = captured("svc");
    const service = createService({ ...out, routes: [] });
    const url = await service.listen(0, "127.0.0.1");
    await fetch(`${url}/healthz`);
    const missing = await fetch(`${url}/nope?x=1`, {
      headers: { "x-request-id": "r-1", b3: "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1" },
    });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "no route for GET /nope" });
    await service.shutdown("test over");
    const requests = out.lines.filter((line) => line.msg === "request");
    assert.equal(requests.length, 1);
    const [line] = requests;
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      { ...line, time: undefined, durationMs: undefined },
      {
        time: undefined,
        durationMs: undefined,
        level: "info",
        service: "svc",
        version: "test",
        msg: "request",
        requestId: "r-1",
        traceId: "80f198ee56343ba864fe8b2a57d3eff7",
        method: "GET",
        path: "/nope",
        status: 404,
      },
    );
  });
});

describe("a refused upload", () => {
  it(
    "is answered at once; what is left is read for LINGER_MS, then the connection closes",
    { timeout: 10_000 },
    async () => {
      const refuse: Route = {
        method: "POST",
        path: "/upload",
        handle() {
          throw new HttpError(503, "busy", { "retry-after": "1" });
        },
      };
      const service = createService({ ...captured("svc"), routes: [refuse] });
      const url = await service.listen(0, "127.0.0.1");
      // A client that would take 100 s to send its body, and keeps sending after the answer.
      const answer = await trickle(`${url}/upload`, {}, 10_000);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers["retry-after"], "1");
      assert.ok(answer.ms < 1000, `answered after ${answer.ms} ms`);
      const closed = await answer.closed;
      assert.ok(closed >= LINGER_MS && closed < LINGER_MS + 1000, `closed after ${closed} ms`);
      await service.shutdown("test over");
    },
  );
});

describe("CPU limit", () => {
  it("reads the cgroup quota, rounding up, and falls back to the node's cores", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cgroup-"));
    const file = (name: string, text: string) => writeFile(join(dir, name), text).then(() => join(dir, name));
    const cores = availableParallelism();
    assert.equal(cpuLimit(await file("one", "100000 100000\n")), 1);
    assert.equal(cpuLimit(await file("half", "50000 100000\n")), 1);
    assert.equal(cpuLimit(await file("max", "max 100000\n")), cores);
    assert.equal(cpuLimit(join(dir, "missing")), cores);
    assert.equal(cpuLimit(await file("huge", "99900000 100000\n")), cores, "never more than the node has");
  });
});
