// Worst-case uploads all at once against the services as real processes, each told the memory limit
// Pulumi.local.yaml gives its container: every answer is 200 or 503 with Retry-After (load is shed,
// never a crash), and the process's peak resident memory (VmHWM) stays under that limit.
// (object-detector reads no memory limit: its MAX_IN_FLIGHT alone keeps it far under.)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { Cleanup, closedPort } from "./support/harness";
import { worstCaseJpeg } from "./support/images";
import { startProcess, waitFor, type Running } from "./support/processes";
import { sha256, tinyDetectorModel } from "./support/tinyModel";

const cleanup = new Cleanup();
after(() => cleanup.run());

/** A container's memory limit in bytes, as the local stack sets it (e.g. 512Mi). */
function stackLimit(service: string): number {
  const stack = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.local.yaml"), "utf8"));
  const memory: string = stack.config["ai-mesh:services"][service].resources.limits.memory;
  const match = /^(\d+)(Mi|Gi)$/.exec(memory);
  assert.ok(match, `a limit in Mi or Gi, not ${memory}`);
  return Number(match[1]) * 1024 ** (match[2] === "Gi" ? 3 : 2);
}

/** The process's peak resident set so far, in bytes (what the OOM killer compares with the limit). */
function peakRss(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
}

const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;

async function start(name: string, env: Record<string, string>): Promise<Running> {
  const running = await startProcess(name, await closedPort(), { LOG_LEVEL: "warn", ...env });
  cleanup.add(async () => void (await running.stop()));
  return running;
}

async function fire(count: number, send: () => Promise<Response>): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, send));
}

function assertShed(answers: Response[]): void {
  const statuses = answers.map((r) => r.status);
  assert.ok(
    statuses.every((s) => s === 200 || s === 503),
    `only 200 or 503: ${statuses.join(",")}`,
  );
  for (const refused of answers.filter((r) => r.status === 503)) assert.equal(refused.headers.get("retry-after"), "1");
}

describe("under a burst of worst-case uploads", () => {
  it("image-processor: twenty progressive 40-megapixel JPEGs at once stay under its 512Mi limit", async (t) => {
    const limit = stackLimit("imageProcessor");
    const processor = await start("image-processor", { MEMORY_LIMIT_BYTES: String(limit) });
    const image = await worstCaseJpeg();
    const answers = await fire(20, () =>
      fetch(`${processor.url}/process`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: image }),
    );
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    assertShed(answers);
    assert.ok(
      answers.some((r) => r.status === 200),
      "some are served",
    );
    const peak = peakRss(processor.pid);
    t.diagnostic(
      `image-processor peak RSS ${mib(peak)} of ${mib(limit)}; ${answers.filter((r) => r.status === 200).length} of 20 served`,
    );
    assert.ok(peak < limit, `peak RSS ${mib(peak)} is under the limit ${mib(limit)}`);
  });

  it("web: twenty 10 MiB uploads at once stream through and stay under its 256Mi limit", async (t) => {
    const limit = stackLimit("web");
    // Stand-ins that read every byte and keep none: web's memory is what is measured.
    const processor = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, {
          "x-image-width": "300",
          "x-image-height": "300",
          "x-original-width": "4000",
          "x-original-height": "3000",
        });
        res.end(Buffer.alloc(300 * 300 * 3));
      });
    });
    const detector = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        res.end(JSON.stringify({ detections: [], model: { sha256: "x", provider: "cpu" }, inferenceMs: 1 })),
      );
    });
    for (const server of [processor, detector]) {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      cleanup.add(() => new Promise((resolve) => server.close(() => resolve())));
    }
    const at = (server: typeof processor) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const web = await start("web", {
      MEMORY_LIMIT_BYTES: String(limit),
      IMAGE_PROCESSOR_URL: at(processor),
      OBJECT_DETECTOR_URL: at(detector),
    });
    const upload = randomBytes(10 * 1024 * 1024);
    const answers = await fire(20, () =>
      fetch(`${web.url}/api/detect`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: upload }),
    );
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    assertShed(answers);
    const peak = peakRss(web.pid);
    t.diagnostic(
      `web peak RSS ${mib(peak)} of ${mib(limit)}; ${answers.filter((r) => r.status === 200).length} of 20 served`,
    );
    assert.ok(peak < limit, `peak RSS ${mib(peak)} is under the limit ${mib(limit)}`);
  });

  it("object-detector: fifty 2048x2048 images at once stay far under its 1Gi limit", async (t) => {
    const limit = stackLimit("objectDetector");
    const model = tinyDetectorModel();
    const path = join(await mkdtemp(join(tmpdir(), "model-")), "tiny.onnx");
    await writeFile(path, model);
    const detector = await start("object-detector", {
      MODEL_PATH: path,
      MODEL_SHA256: sha256(model),
      EXECUTION_PROVIDER: "cpu",
      INFERENCE_THREADS: "1",
    });
    await waitFor("object-detector /ready", async () => (await fetch(`${detector.url}/ready`)).ok);
    const side = 2048;
    const rgb = Buffer.alloc(side * side * 3, 200);
    const answers = await fire(50, () =>
      fetch(`${detector.url}/detect`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          "x-image-width": String(side),
          "x-image-height": String(side),
        },
        body: rgb,
      }),
    );
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    assertShed(answers);
    const served = answers.filter((r) => r.status === 200).length;
    const peak = peakRss(detector.pid);
    const now = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${detector.pid}/status`, "utf8"))![1]) * 1024;
    t.diagnostic(`object-detector peak RSS ${mib(peak)} of ${mib(limit)}, ${mib(now)} after; ${served} of 50 served`);
    assert.ok(served < 50, "MAX_IN_FLIGHT (8) sheds some of fifty");
    assert.ok(peak < limit / 2, `peak RSS ${mib(peak)} is under half the limit ${mib(limit)}`);
  });
});
