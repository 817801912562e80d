// web on loopback against recording stand-ins for image-processor and object-detector: the page,
// the upload path with its trace headers, and how each kind of failure reaches the uploader; and the
// sizes the page writes.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { createWeb, webSettings } from "../web/app";
import { mib, mibOver } from "../web/pageScript";
import {
  Cleanup,
  captured,
  closedPort,
  fakeServer,
  listen,
  trickle,
  type Answer,
  type Recorded,
} from "./support/harness";
import { sample } from "./support/metrics";

const cleanup = new Cleanup();
after(() => cleanup.run());

const TRACE = {
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  tracestate: "vendor=value",
  baggage: "tenant=acme,experiment=b",
  "x-b3-traceid": "4bf92f3577b34da6a3ce929d0e0e4736",
  "x-b3-spanid": "00f067aa0ba902b7",
  "x-b3-sampled": "1",
  b3: "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
  "x-request-id": "upload-1",
};

const DETECTIONS = [{ label: "cat", classId: 17, score: 0.9, box: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 } }];
const RGB = Buffer.alloc(4 * 2 * 3, 7);

describe("web", () => {
  let url: string;
  let out: ReturnType<typeof captured>;
  let processor: Recorded;
  let detector: Recorded;
  let processorAnswer: () => Answer | Promise<Answer>;
  let detectorAnswer: () => Answer;

  const processed: Answer = {
    status: 200,
    headers: { "x-image-width": "4", "x-image-height": "2", "x-original-width": "800", "x-original-height": "400" },
    body: RGB,
  };
  const detected: Answer = {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ detections: DETECTIONS, model: { sha256: "abc", provider: "cpu" }, inferenceMs: 3 }),
  };

  before(async () => {
    processor = await fakeServer(() => processorAnswer(), cleanup);
    detector = await fakeServer(() => detectorAnswer(), cleanup);
    const settings = webSettings({
      IMAGE_PROCESSOR_URL: processor.url,
      OBJECT_DETECTOR_URL: `${detector.url}/`,
      MAX_BODY_BYTES: "2048",
      DOWNSTREAM_TIMEOUT_SECONDS: "1",
      BODY_TIMEOUT_SECONDS: "1",
      FORWARD_HEADERS: "x-tenant",
    });
    out = captured("web");
    url = await listen(createWeb({ ...out, settings }), cleanup);
  });

  beforeEach(() => {
    processorAnswer = () => processed;
    detectorAnswer = () => detected;
    processor.requests.length = 0;
    processor.arrivals.count = 0;
    detector.requests.length = 0;
  });

  const upload = (body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/detect`, { method: "POST", headers: { "content-type": "image/png", ...headers }, body });

  it("serves the upload page, its script and styles under a strict CSP", async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(page.headers.get("content-security-policy") ?? "", /^default-src 'self'; img-src 'self' blob:;/);
    const html = await page.text();
    // The limits are the server's (MAX_BODY_BYTES is 2048 here), in MiB for people, in bytes for the script.
    assert.match(html, / data-max-bytes="2048" data-max-label="0.002 MiB" /);
    assert.match(html, /<p id="limits" class="limits">JPEG, PNG, WebP, GIF, AVIF or TIFF · up to 0.002 MiB<\/p>/);
    assert.match(html, / accept="image\/jpeg,image\/png,image\/webp,image\/gif,image\/avif,image\/tiff" /);
    assert.match(html, /<script src="app.js" defer><\/script>/);
    const favicon = await fetch(`${url}/favicon.svg`);
    assert.equal(favicon.headers.get("content-type"), "image/svg+xml");
    assert.match(await favicon.text(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const script = await fetch(`${url}/app.js`);
    assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await script.text(), /fetch\("api\/detect"/);
    assert.match(await (await fetch(`${url}/app.css`)).text(), /\.box \{ position: absolute;/);
  });

  it("sends the image to image-processor, its output to object-detector, and returns the detections", async () => {
    const response = await upload("PNG-BYTES", { ...TRACE, "x-session-id": "session-7", "x-tenant": "acme" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "upload-1", "the request id is echoed");
    const body = (await response.json()) as {
      detections: unknown;
      image: unknown;
      model: unknown;
      timings: Record<string, number>;
    };
    assert.deepEqual(body.detections, DETECTIONS);
    assert.deepEqual(body.image, { width: 800, height: 400 });
    assert.deepEqual(body.model, { sha256: "abc", provider: "cpu" });
    assert.equal(body.timings.inferenceMs, 3);

    const [toProcessor] = processor.requests;
    assert.equal(toProcessor.path, "/process");
    assert.equal(toProcessor.headers["content-type"], "image/png");
    assert.equal(toProcessor.body.toString(), "PNG-BYTES");
    const [toDetector] = detector.requests;
    assert.equal(toDetector.path, "/detect");
    assert.equal(toDetector.headers["content-type"], "application/octet-stream");
    assert.equal(toDetector.headers["x-image-width"], "4");
    assert.equal(toDetector.headers["x-image-height"], "2");
    assert.deepEqual(toDetector.body, RGB);
    for (const request of [toProcessor, toDetector]) {
      for (const [name, value] of Object.entries(TRACE))
        assert.equal(request.headers[name], value, `${name} on ${request.path}`);
      // object-detector's consistent hash keys on it: without it every request lands anywhere.
      assert.equal(request.headers["x-session-id"], "session-7", `x-session-id on ${request.path}`);
      // FORWARD_HEADERS=x-tenant adds to what is forwarded, it does not replace it.
      assert.equal(request.headers["x-tenant"], "acme", `x-tenant on ${request.path}`);
    }
  });

  it("makes up a request id when called without a sidecar, and uses it on both calls", async () => {
    await upload("PNG-BYTES");
    const id = processor.requests[0].headers["x-request-id"];
    assert.match(String(id), /^[0-9a-f-]{36}$/);
    assert.equal(detector.requests[0].headers["x-request-id"], id);
    assert.equal(processor.requests[0].headers.traceparent, undefined);
  });

  it("refuses uploads it cannot use, saying why", async () => {
    const cases: [Promise<Response>, number, string][] = [
      [
        upload("text", { "content-type": "text/plain" }),
        415,
        "send the image itself with an image/* content type, not text/plain",
      ],
      [
        upload("<svg/>", { "content-type": "image/svg+xml" }),
        415,
        "SVG is not accepted: send a raster image (JPEG, PNG, WebP, GIF, AVIF or TIFF)",
      ],
      [upload(""), 400, "the request body is empty: send the image bytes"],
      [upload(Buffer.alloc(2049)), 413, "the request body is larger than 2048 bytes (MAX_BODY_BYTES)"],
    ];
    for (const [pending, status, error] of cases) {
      const response = await pending;
      assert.equal(response.status, status);
      assert.deepEqual(await response.json(), { error });
    }
    assert.equal(processor.requests.length, 0);
  });

  it("stops a streamed upload that grows past MAX_BODY_BYTES with 413, whatever it declared", async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(1024).fill(1));
        controller.close();
      },
    });
    const response = await fetch(`${url}/api/detect`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { error: "the request body is larger than 2048 bytes (MAX_BODY_BYTES)" });
  });

  it("relays a downstream refusal, and turns downstream failures into 502, 503 and 504", async () => {
    const failing = async (status: number, error: string) => {
      const response = await upload("PNG-BYTES");
      assert.equal(response.status, status, error);
      assert.deepEqual(await response.json(), { error });
      return response;
    };
    processorAnswer = () => ({ status: 415, body: JSON.stringify({ error: "the body is not an image" }) });
    await failing(415, "image-processor: the body is not an image");
    processorAnswer = () => processed;
    detectorAnswer = () => ({
      status: 503,
      headers: { "retry-after": "1" },
      body: JSON.stringify({ error: "not ready: loading the model" }),
    });
    const busy = await failing(503, "object-detector is busy or not ready; retry shortly");
    assert.equal(busy.headers.get("retry-after"), "1", "Retry-After is passed on");
    detectorAnswer = () => ({ status: 500, body: "<html>upstream connect error to 10.0.3.7:8080</html>" });
    await failing(502, "object-detector failed (HTTP 500)");
    const logged = out.lines.find((line) => line.msg === "object-detector failed" && line.status === 500);
    assert.match(String(logged?.detail), /10\.0\.3\.7/, "the details are logged, not answered");
    processorAnswer = () => new Promise((resolve) => setTimeout(() => resolve(processed), 1500));
    await failing(504, "image-processor did not answer within 1 s (DOWNSTREAM_TIMEOUT_SECONDS)");
  });

  it("answers a client that trickles its upload 408, without calling image-processor", async () => {
    // 100 bytes a second: BODY_TIMEOUT_SECONDS=1, then 8192 bytes a second (the default) are due.
    const answer = await trickle(`${url}/api/detect`, { "content-type": "image/png" }, 2000);
    assert.equal(answer.status, 408);
    assert.match(
      JSON.parse(answer.body).error,
      /^the upload is too slow: \d+ bytes in 1\.\d s; after the first 1 s \(BODY_TIMEOUT_SECONDS\) send at least 8192 bytes a second \(BODY_MIN_BYTES_PER_SECOND\)$/,
    );
    assert.ok(answer.ms < 2500, `answered after ${answer.ms} ms`);
    assert.equal(processor.arrivals.count, 0, "a trickler never holds an image-processor slot");
  });

  it("says which service it cannot reach, never where it runs", async () => {
    const port = await closedPort();
    const settings = webSettings({
      IMAGE_PROCESSOR_URL: `http://127.0.0.1:${port}`,
      OBJECT_DETECTOR_URL: detector.url,
    });
    const lonelyOut = captured("web");
    const lonely = await listen(createWeb({ ...lonelyOut, settings }), cleanup);
    const response = await fetch(`${lonely}/api/detect`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: "x",
    });
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { error: "image-processor is unreachable" });
    const logged = lonelyOut.lines.find((line) => line.msg === "image-processor is unreachable");
    assert.equal(logged?.url, `http://127.0.0.1:${port}/process`);
    assert.match(String(logged?.cause), /ECONNREFUSED/);
  });

  it("answers its probes and counts requests by route", async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    const text = await (await fetch(`${url}/metrics`)).text();
    const labels = { service: "web", version: "test", method: "POST", route: "/api/detect" };
    assert.equal(sample(text, "http_server_requests_total", { ...labels, code: "200" }), 2);
    assert.equal(sample(text, "http_server_requests_total", { ...labels, code: "413" }), 2);
    assert.equal(sample(text, "http_server_requests_total", { ...labels, code: "504" }), 1);
  });

  it("refuses a downstream URL that is not http(s), and a header list that is not one", () => {
    assert.throws(() => webSettings({ OBJECT_DETECTOR_URL: "object-detector:80" }), {
      message: 'OBJECT_DETECTOR_URL="object-detector:80" is not allowed: use an http:// or https:// URL',
    });
    assert.throws(() => webSettings({ FORWARD_HEADERS: "x-session-id, bad header" }), {
      message:
        'FORWARD_HEADERS="x-session-id, bad header" is not allowed: use comma-separated header names such as x-session-id,x-tenant',
    });
    assert.deepEqual(webSettings({}).forwardHeaders, ["x-session-id"]);
    assert.deepEqual(webSettings({ FORWARD_HEADERS: "x-tenant" }).forwardHeaders, ["x-session-id", "x-tenant"]);
    assert.deepEqual(webSettings({ FORWARD_HEADERS: "X-Session-Id,x-tenant" }).forwardHeaders, [
      "x-session-id",
      "x-tenant",
    ]);
    assert.throws(() => webSettings({ BODY_MIN_BYTES_PER_SECOND: "0" }), {
      message: 'BODY_MIN_BYTES_PER_SECOND="0" is not allowed: use a whole number from 1 to 1073741824',
    });
  });
});

describe("web with a large upload and an upstream that does not read it", () => {
  const NINE_MIB = Buffer.alloc(9 * 1024 * 1024, 0xff);

  async function webBefore(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const upstream = createServer(handle);
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    cleanup.add(async () => {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    });
    const settings = webSettings({
      IMAGE_PROCESSOR_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      OBJECT_DETECTOR_URL: "http://127.0.0.1:1",
      MAX_BODY_BYTES: String(10 * 1024 * 1024),
      DOWNSTREAM_TIMEOUT_SECONDS: "2",
      BODY_TIMEOUT_SECONDS: "1",
    });
    return listen(createWeb({ ...captured("web"), settings }), cleanup);
  }

  const post = async (url: string) => {
    const started = Date.now();
    const response = await fetch(`${url}/api/detect`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: NINE_MIB,
    });
    const body = await response.json();
    return { response, body, ms: Date.now() - started };
  };

  it("relays a shed (503 before the upload is read) at once with its Retry-After, and stops sending", async () => {
    const url = await webBefore((_req, res) => {
      res.writeHead(503, { "retry-after": "7", "content-type": "application/json" });
      res.end(JSON.stringify({ error: "busy: 8 requests in flight (MAX_IN_FLIGHT); retry shortly" }));
    });
    const { response, body, ms } = await post(url);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "7");
    assert.deepEqual(body, { error: "image-processor is busy or not ready; retry shortly" });
    assert.ok(ms < 1500, `answered after ${ms} ms, not at the 2 s DOWNSTREAM_TIMEOUT_SECONDS`);
  });

  it("blames an upstream that stops reading with 504, not the client with 408", { timeout: 10_000 }, async () => {
    const url = await webBefore((req) => req.pause());
    const { response, body } = await post(url);
    assert.equal(response.status, 504);
    assert.deepEqual(body, { error: "image-processor did not answer within 2 s (DOWNSTREAM_TIMEOUT_SECONDS)" });
  });

  it(
    "blames an upstream that answers early but stalls its body with 504, not the client",
    { timeout: 10_000 },
    async () => {
      const url = await webBefore((_req, res) => {
        res.writeHead(503, { "retry-after": "1", "content-type": "application/json", "content-length": "100" });
        res.write('{"error":');
      });
      const { response, body, ms } = await post(url);
      assert.equal(response.status, 504);
      assert.deepEqual(body, { error: "image-processor did not answer within 2 s (DOWNSTREAM_TIMEOUT_SECONDS)" });
      assert.ok(ms < 4000, `answered after ${ms} ms`);
    },
  );
});

describe("the page's sizes", () => {
  it("writes a size over a limit with the digits it takes not to read as the limit", () => {
    assert.equal(mib(2 * 1048576 + 300), "2 MiB");
    assert.equal(mibOver(2 * 1048576 + 300, "2 MiB"), "2.0003 MiB");
    assert.equal(mibOver(2 * 1048576 + 1, "2 MiB"), "2.000001 MiB");
    assert.equal(mibOver(3 * 1048576, "2 MiB"), "3 MiB");
    assert.equal(mibOver(12345678, "10 MiB"), "11.77 MiB");
    assert.equal(mibOver(1537, "0.0015 MiB"), "0.00147 MiB");
  });
});
