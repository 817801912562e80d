// object-detector on loopback with a tiny generated ONNX model: download, checksum, cache, load,
// inference and response; readiness before and after; every bad input; metrics.
import assert from "node:assert/strict";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../common/env";
import {
  createObjectDetector,
  objectDetectorSettings,
  type ModelStatus,
  type ObjectDetector,
} from "../object-detector/app";
import { modelSource } from "../object-detector/modelSource";
import { Cleanup, captured, closedPort, fakeServer, listen, type Captured, type Recorded } from "./support/harness";
import { waitFor } from "./support/processes";
import { sample } from "./support/metrics";
import { FLOAT, sha256, tinyDetectorModel } from "./support/tinyModel";

const cleanup = new Cleanup();
after(() => cleanup.run());

const MODEL = tinyDetectorModel();
const MODEL_SHA256 = sha256(MODEL);

function rgb(width: number, height: number, shade: number): Buffer {
  return Buffer.alloc(width * height * 3, shade);
}

/** One colour, packed RGB (red first, as image-processor sends it). */
function colour(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set([r, g, b], i * 3);
  return pixels;
}

const PERSON = { label: "person", classId: 1, score: 0.9, box: { x: 0.2, y: 0.1, width: 0.4, height: 0.4 } };
const DOG = { label: "dog", classId: 18, score: 0.95, box: { x: 0, y: 0, width: 1, height: 1 } };
// 0.75 is exact in float32, so a threshold of 0.75 tests "at or above" exactly.
const CAT = { label: "cat", classId: 17, score: 0.75, box: { x: 0.5, y: 0.5, width: 0.3, height: 0.4 } };

function detectRequest(
  body: Buffer,
  width: number,
  height: number,
  contentType = "application/octet-stream",
): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": contentType, "x-image-width": String(width), "x-image-height": String(height) },
    body,
  };
}

async function detector(env: Record<string, string>): Promise<{ app: ObjectDetector; url: string; out: Captured }> {
  const out = captured("object-detector");
  const app = createObjectDetector({ ...out, settings: objectDetectorSettings(env) });
  cleanup.add(() => app.stop());
  const url = await listen(app.service, cleanup);
  return { app, url, out };
}

describe("object-detector with a model downloaded from MODEL_URL", () => {
  let models: Recorded;
  let cacheDir: string;
  let url: string;
  let app: ObjectDetector;
  let out: Captured;

  before(async () => {
    models = await fakeServer(
      () => ({ status: 200, headers: { "content-type": "application/octet-stream" }, body: MODEL }),
      cleanup,
    );
    cacheDir = await mkdtemp(join(tmpdir(), "models-"));
    ({ app, url, out } = await detector({
      MODEL_URL: `${models.url}/ssd.onnx`,
      MODEL_SHA256: MODEL_SHA256,
      MODEL_CACHE_DIR: cacheDir,
      EXECUTION_PROVIDER: "auto",
    }));
  });

  it("answers /healthz while /ready says it is loading the model", async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), {
      status: "not ready",
      reason: "loading the model",
      model: { failedAttempts: 0, gaveUp: false },
    });
    const early = await fetch(`${url}/detect`, detectRequest(rgb(2, 2, 255), 2, 2));
    assert.equal(early.status, 503);
    assert.equal(early.headers.get("retry-after"), "5");
    assert.deepEqual(await early.json(), { error: "not ready: loading the model" });
  });

  it("downloads, verifies and loads the model, then turns /ready green", async () => {
    await app.start();
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.deepEqual(
      models.requests.map((request) => request.path),
      ["/ssd.onnx"],
    );
    assert.deepEqual(await readdir(cacheDir), [`${MODEL_SHA256}.onnx`]);
    const loaded = out.lines.find((line) => line.msg === "model loaded; ready");
    assert.equal(loaded?.from, "download");
    assert.equal(loaded?.sha256, MODEL_SHA256);
    assert.equal(loaded?.provider, "cpu"); // no GPU on this machine
  });

  it("returns every object over MIN_SCORE, best first, with boxes normalised to the image", async () => {
    // Small enough that float32 means are exact (300x300 of 255 sums past float32's 24 bits).
    const response = await fetch(`${url}/detect`, detectRequest(rgb(30, 30, 255), 30, 30));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { detections: unknown[]; model: unknown; inferenceMs: number };
    // The model returns them person (0.9), dog (0.95), cat (0.75): ranked, the dog comes first.
    assert.deepEqual(body.detections, [DOG, PERSON, CAT]);
    // The model is named by the URL's file name, not the cache's checksum-named copy.
    assert.deepEqual(body.model, { name: "ssd.onnx", sha256: MODEL_SHA256, provider: "cpu" });
    assert.equal(typeof body.inferenceMs, "number");
  });

  it("reads the channels in RGB order: red finds the person, blue the dog", async () => {
    const detections = async (pixels: Buffer) =>
      (
        (await (await fetch(`${url}/detect`, detectRequest(pixels, 20, 10))).json()) as {
          detections: { label: string }[];
        }
      ).detections.map((d) => d.label);
    assert.deepEqual(await detections(colour(20, 10, [255, 0, 0])), ["person"]);
    assert.deepEqual(await detections(colour(20, 10, [0, 0, 255])), ["dog"]);
  });

  it("finds nothing in a black image", async () => {
    const response = await fetch(`${url}/detect`, detectRequest(rgb(64, 48, 0), 64, 48));
    assert.deepEqual(((await response.json()) as { detections: unknown[] }).detections, []);
  });

  it("refuses bodies that are not the raw RGB it expects, saying why", async () => {
    const cases: [RequestInit, number, string][] = [
      [
        detectRequest(rgb(2, 2, 1), 2, 2, "image/png"),
        415,
        "send raw 8-bit RGB as application/octet-stream, as image-processor's /process returns it",
      ],
      [
        { method: "POST", headers: { "content-type": "application/octet-stream" }, body: rgb(2, 2, 1) },
        400,
        "header x-image-width must be a whole number from 1 to 2048 (MAX_IMAGE_SIDE); got null",
      ],
      [
        detectRequest(rgb(2, 2, 1), 0, 2),
        400,
        'header x-image-width must be a whole number from 1 to 2048 (MAX_IMAGE_SIDE); got "0"',
      ],
      [
        detectRequest(rgb(2, 2, 1), 2, 4096),
        400,
        'header x-image-height must be a whole number from 1 to 2048 (MAX_IMAGE_SIDE); got "4096"',
      ],
      [detectRequest(rgb(2, 1, 1), 2, 2), 400, "the body has 6 bytes; 2x2 RGB needs 12"],
      [
        detectRequest(rgb(3, 2, 1), 2, 2),
        413,
        "the request body is larger than 12 bytes (x-image-width × x-image-height × 3)",
      ],
    ];
    for (const [init, status, error] of cases) {
      const response = await fetch(`${url}/detect`, init);
      assert.equal(response.status, status, error);
      assert.deepEqual(await response.json(), { error });
    }
    const wrongMethod = await fetch(`${url}/detect`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
  });

  it("exports inference, detection and model metrics for Prometheus", async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const labels = { service: "object-detector", version: "test" };
    assert.equal(sample(text, "object_detector_inference_seconds_count", { ...labels, provider: "cpu" }), 4);
    assert.equal(sample(text, "object_detector_detections_total", { ...labels, label: "person" }), 2);
    assert.equal(sample(text, "object_detector_detections_total", { ...labels, label: "dog" }), 2);
    assert.equal(sample(text, "object_detector_model_loaded", { ...labels, sha256: MODEL_SHA256, provider: "cpu" }), 1);
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "POST", route: "/detect", code: "200" }),
      4,
    );
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "GET", route: "/detect", code: "405" }),
      1,
    );
    assert.match(text, /process_cpu_seconds_total/);
  });

  it("loads from the cache on the next start, without downloading", async () => {
    const next = await detector({ MODEL_URL: `${models.url}/ssd.onnx`, MODEL_SHA256, MODEL_CACHE_DIR: cacheDir });
    await next.app.start();
    assert.equal((await fetch(`${next.url}/ready`)).status, 200);
    assert.equal(models.requests.length, 1);
    assert.equal(next.out.lines.find((line) => line.msg === "model loaded; ready")?.from, "cache");
  });
});

describe("object-detector's MIN_SCORE and MAX_DETECTIONS", () => {
  let url: string;
  const found = async (env: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), "model-"));
    await writeFile(join(dir, "tiny.onnx"), MODEL);
    const { app, url: at } = await detector({ MODEL_PATH: join(dir, "tiny.onnx"), ...env });
    await app.start();
    url = at;
    // One pixel: its mean is exact, so the cat's score is exactly 0.75.
    const response = await fetch(`${url}/detect`, detectRequest(rgb(1, 1, 255), 1, 1));
    return ((await response.json()) as { detections: { label: string; score: number }[] }).detections;
  };

  it("keeps only scores at or above MIN_SCORE", async () => {
    assert.deepEqual(await found({ MIN_SCORE: "0.75" }), [DOG, PERSON, CAT]);
    assert.deepEqual(await found({ MIN_SCORE: "0.8" }), [DOG, PERSON]);
    assert.deepEqual(await found({ MIN_SCORE: "0.96" }), []);
  });

  it("keeps the best MAX_DETECTIONS, not the first the model returns", async () => {
    assert.deepEqual(await found({ MAX_DETECTIONS: "1" }), [DOG]);
    assert.deepEqual(await found({ MAX_DETECTIONS: "2" }), [DOG, PERSON]);
  });
});

describe("object-detector when a download fails", () => {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  /** What /ready says between attempts. */
  const retrying = (cause: string) =>
    new RegExp(`^model download attempt \\d+ failed \\(${literal(cause)}\\); retrying in \\d+ ms$`);

  async function readyReason(url: string): Promise<string> {
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 503);
    return ((await ready.json()) as { reason: string }).reason;
  }

  it("keeps /ready red with a wrong MODEL_SHA256, naming both sums, retrying, and leaves nothing in the cache", async () => {
    const models = await fakeServer(() => ({ status: 200, body: MODEL }), cleanup);
    const cacheDir = await mkdtemp(join(tmpdir(), "models-"));
    const wrong = "0".repeat(64);
    const { app, url, out } = await detector({
      MODEL_URL: `${models.url}/ssd.onnx`,
      MODEL_SHA256: wrong,
      MODEL_CACHE_DIR: cacheDir,
      MODEL_RETRY_BASE_MS: "10",
    });
    void app.start();
    await waitFor("a second attempt", async () => models.requests.length >= 2);
    const expected =
      `model checksum mismatch for ${models.url}/ssd.onnx: MODEL_SHA256 is ${wrong} but the ${MODEL.length} bytes ` +
      `downloaded (no Content-Type) hash to ${MODEL_SHA256}`;
    assert.match(await readyReason(url), retrying(expected));
    const warned = out.lines.find((line) => line.msg === "model download failed; retrying");
    assert.equal(warned?.error, expected);
    assert.deepEqual(
      (await readdir(cacheDir)).filter((name) => !name.endsWith(".part")),
      [],
      "nothing unverified is kept",
    );
    assert.equal((await fetch(`${url}/healthz`)).status, 200, "liveness stays green: restarting would not help");
    await app.stop();
  });

  it("names MODEL_DOWNLOAD_TIMEOUT_SECONDS when a host never finishes", async () => {
    // Accepts the connection and never answers.
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanup.add(() => new Promise((resolve) => (silent.close(() => resolve()), sockets.forEach((s) => s.destroy()))));
    const host = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const { app, url } = await detector({
      MODEL_URL: `${host}/ssd.onnx`,
      MODEL_SHA256,
      MODEL_CACHE_DIR: await mkdtemp(join(tmpdir(), "models-")),
      MODEL_DOWNLOAD_TIMEOUT_SECONDS: "1",
      MODEL_RETRY_BASE_MS: "10",
    });
    void app.start();
    await waitFor("a timed-out attempt", async () => (await readyReason(url)).includes("attempt"));
    assert.match(
      await readyReason(url),
      retrying(`GET ${host}/ssd.onnx did not finish within 1 s (MODEL_DOWNLOAD_TIMEOUT_SECONDS)`),
    );
    await app.stop();
  });

  it("retries a URL that answers 404 too, saying so", async () => {
    const models = await fakeServer(() => ({ status: 404, body: "no such file" }), cleanup);
    const { app, url } = await detector({
      MODEL_URL: `${models.url}/missing.onnx`,
      MODEL_SHA256,
      MODEL_CACHE_DIR: await mkdtemp(join(tmpdir(), "models-")),
      MODEL_RETRY_BASE_MS: "10",
    });
    void app.start();
    await waitFor("a second attempt", async () => models.requests.length >= 2);
    assert.match(await readyReason(url), retrying(`GET ${models.url}/missing.onnx answered HTTP 404`));
    await app.stop();
  });

  it("heals after any kind of failure: refused, an HTML page, a body cut short, then the file", async () => {
    // Nothing listens on the port at first; then a host that answers a proxy's HTML page with 200,
    // then the model cut short (no Content-Length, closed early), then the model itself.
    const port = await closedPort();
    const host = `http://127.0.0.1:${port}`;
    const cacheDir = await mkdtemp(join(tmpdir(), "models-"));
    const { app, url, out } = await detector({
      MODEL_URL: `${host}/ssd.onnx`,
      MODEL_SHA256,
      MODEL_CACHE_DIR: cacheDir,
      MODEL_RETRY_BASE_MS: "10",
      MODEL_RETRY_MAX_SECONDS: "1",
    });
    const starting = app.start();
    await waitFor("a refused attempt", async () => (await readyReason(url)).includes("ECONNREFUSED"));
    assert.match(
      await readyReason(url),
      retrying(`GET ${host}/ssd.onnx failed: connect ECONNREFUSED 127.0.0.1:${port}`),
    );
    const html = "<html><body>Please sign in to continue</body></html>";
    const answers = [
      `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${html.length}\r\nconnection: close\r\n\r\n${html}`,
      Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n"), MODEL.subarray(0, 100)]),
      Buffer.concat([
        Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${MODEL.length}\r\nconnection: close\r\n\r\n`),
        MODEL,
      ]),
    ];
    const server = createNetServer((socket) => socket.once("data", () => socket.end(answers.shift() ?? "")));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    cleanup.add(() => new Promise((resolve) => server.close(() => resolve())));
    await starting;
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.equal(answers.length, 0);
    const causes = out.lines
      .filter((line) => line.msg === "model download failed; retrying")
      .map((line) => String(line.error))
      .filter((cause) => !cause.includes("ECONNREFUSED"));
    const mismatch = (bytes: Buffer | string, type: string) =>
      `model checksum mismatch for ${host}/ssd.onnx: MODEL_SHA256 is ${MODEL_SHA256} but the ${bytes.length} bytes ` +
      `downloaded (${type}) hash to ${sha256(Buffer.from(bytes))}`;
    assert.deepEqual(causes, [
      mismatch(html, "Content-Type text/html: a page, not the model file"),
      mismatch(MODEL.subarray(0, 100), "no Content-Type"),
    ]);
  });

  it("never gives up on a model host that fails: ready once it comes back, however late", async () => {
    let calls = 0;
    // Ten failures (more than any fixed number of attempts would allow), then the file.
    const models = await fakeServer(
      () => (++calls <= 10 ? { status: 503, body: "busy" } : { status: 200, body: MODEL }),
      cleanup,
    );
    const { app, url, out } = await detector({
      MODEL_URL: `${models.url}/ssd.onnx`,
      MODEL_SHA256,
      MODEL_CACHE_DIR: await mkdtemp(join(tmpdir(), "models-")),
      MODEL_RETRY_BASE_MS: "10",
      MODEL_RETRY_MAX_SECONDS: "1",
    });
    const starting = app.start();
    await waitFor("a failed attempt", async () => calls >= 2);
    const waiting = (await (await fetch(`${url}/ready`)).json()) as { reason: string; model: ModelStatus };
    assert.match(
      waiting.reason,
      new RegExp(
        `^model download attempt \\d+ failed \\(GET ${models.url}/ssd.onnx answered HTTP 503\\); retrying in \\d+ ms$`,
      ),
    );
    // The same for a program, in fields: a launcher counts attempts without parsing the wording.
    assert.equal(waiting.model.lastFailure, `GET ${models.url}/ssd.onnx answered HTTP 503`);
    assert.equal(waiting.model.gaveUp, false);
    assert.ok(waiting.model.failedAttempts >= 1 && waiting.model.retryInMs! >= 10, JSON.stringify(waiting.model));
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    await starting;
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.equal(models.requests.length, 11);
    const retries = out.lines.filter((line) => line.msg === "model download failed; retrying");
    assert.deepEqual(
      retries.map((line) => line.delayMs),
      [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000],
      "the pause doubles, then stays at MODEL_RETRY_MAX_SECONDS",
    );
  });
});

describe("object-detector with MODEL_PATH", () => {
  it("loads the file and checks MODEL_SHA256 when given", async () => {
    const dir = await mkdtemp(join(tmpdir(), "model-"));
    const path = join(dir, "ssd.onnx");
    await writeFile(path, MODEL);
    const good = await detector({ MODEL_PATH: path, MODEL_SHA256 });
    await good.app.start();
    assert.equal((await fetch(`${good.url}/ready`)).status, 200);
    assert.equal(good.out.lines.find((line) => line.msg === "model loaded; ready")?.from, "path");
    const answer = await fetch(`${good.url}/detect`, detectRequest(rgb(1, 1, 255), 1, 1));
    assert.deepEqual(((await answer.json()) as { model: unknown }).model, {
      name: "ssd.onnx",
      sha256: MODEL_SHA256,
      provider: "cpu",
    });

    const bad = await detector({ MODEL_PATH: path, MODEL_SHA256: "f".repeat(64) });
    await bad.app.start();
    assert.equal((await fetch(`${bad.url}/ready`)).status, 503);

    const missing = await detector({ MODEL_PATH: join(dir, "none.onnx") });
    await missing.app.start();
    assert.deepEqual(await (await fetch(`${missing.url}/ready`)).json(), {
      status: "not ready",
      reason: `MODEL_PATH ${join(dir, "none.onnx")} does not exist`,
      model: { failedAttempts: 0, lastFailure: `MODEL_PATH ${join(dir, "none.onnx")} does not exist`, gaveUp: true },
    });
  });

  it("refuses a file that is not an ONNX model", async () => {
    const dir = await mkdtemp(join(tmpdir(), "model-"));
    const path = join(dir, "broken.onnx");
    await writeFile(path, Buffer.from("not a model"));
    const { app, url } = await detector({ MODEL_PATH: path });
    await app.start();
    const body = (await (await fetch(`${url}/ready`)).json()) as { reason: string };
    assert.match(body.reason, /protobuf parsing failed/i);
  });

  it("refuses a model whose input is not a uint8 image, naming what it has", async () => {
    const dir = await mkdtemp(join(tmpdir(), "model-"));
    const path = join(dir, "float.onnx");
    await writeFile(path, tinyDetectorModel(FLOAT));
    const { app, url } = await detector({ MODEL_PATH: path });
    await app.start();
    assert.deepEqual(await (await fetch(`${url}/ready`)).json(), {
      status: "not ready",
      reason:
        "the model's input must be one uint8 image tensor [1, height, width, 3]; it has image_tensor:0 float32 [batch, height, width, 3]",
      model: {
        failedAttempts: 0,
        lastFailure:
          "the model's input must be one uint8 image tensor [1, height, width, 3]; it has image_tensor:0 float32 [batch, height, width, 3]",
        gaveUp: true,
      },
    });
  });
});

describe("object-detector settings", () => {
  const refused = (env: Record<string, string>, message: string) =>
    assert.throws(
      () => modelSource(env),
      (error: unknown) => error instanceof ConfigError && error.message === message,
    );

  it("names the variable, the value and what is allowed", () => {
    refused({}, "no model configured: set MODEL_PATH to a model file, or MODEL_URL and MODEL_SHA256 to download one");
    refused(
      { MODEL_URL: "https://example.com/m.onnx" },
      'MODEL_URL="https://example.com/m.onnx" needs MODEL_SHA256: a downloaded model is only loaded once its checksum matches',
    );
    refused(
      { MODEL_URL: "ftp://example.com/m.onnx", MODEL_SHA256 },
      'MODEL_URL="ftp://example.com/m.onnx" is not allowed: use an http:// or https:// URL',
    );
    refused(
      { MODEL_URL: "https://example.com/m.onnx", MODEL_SHA256: "abc" },
      'MODEL_SHA256="abc" is not allowed: use the file\'s SHA-256 as 64 hexadecimal characters',
    );
    assert.throws(() => objectDetectorSettings({ MODEL_PATH: "/m.onnx", EXECUTION_PROVIDER: "tpu" }), {
      message: 'EXECUTION_PROVIDER="tpu" is not allowed: use one of auto, cuda, cpu',
    });
    assert.throws(() => objectDetectorSettings({ MODEL_PATH: "/m.onnx", MIN_SCORE: "2" }), {
      message: 'MIN_SCORE="2" is not allowed: use a number from 0 to 1',
    });
    assert.throws(() => objectDetectorSettings({ MODEL_PATH: "/m.onnx", MAX_IN_FLIGHT: "0" }), {
      message: 'MAX_IN_FLIGHT="0" is not allowed: use a whole number from 1 to 1024',
    });
    assert.equal(objectDetectorSettings({ MODEL_PATH: "/m.onnx" }).maxInFlight, 8);
  });

  it("defaults the cache to a directory any user may write (the platform sets /models)", () => {
    assert.deepEqual(
      modelSource({ MODEL_URL: "https://example.com/m.onnx", MODEL_SHA256: MODEL_SHA256.toUpperCase() }),
      {
        kind: "url",
        name: "m.onnx",
        url: "https://example.com/m.onnx",
        sha256: MODEL_SHA256,
        cacheDir: join(tmpdir(), "ai-mesh-models"),
        retryBaseMs: 1000,
        retryMaxMs: 300_000,
        timeoutMs: 600_000,
      },
    );
  });
});
