// image-processor on loopback: pixels that prove orientation, channel order and stretching; every
// kind of bad input with one status and a clean message; probes and metrics; and shedding load
// (in-flight cap, decode-memory budget, bounded wait) with 503 + Retry-After instead of dying.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createImageProcessor, imageProcessorSettings } from "../image-processor/app";
import { decodeCost, sniffFormat } from "../image-processor/process";
import { Cleanup, captured, listen } from "./support/harness";
import {
  BLUE,
  RED,
  WHITE,
  bands,
  halfTransparent,
  near,
  pixel,
  solid,
  withOrientation,
  worstCaseJpeg,
} from "./support/images";
import { sample } from "./support/metrics";

const cleanup = new Cleanup();
after(() => cleanup.run());

async function processor(env: Record<string, string>): Promise<string> {
  return listen(
    createImageProcessor({ ...captured("image-processor"), settings: imageProcessorSettings(env) }),
    cleanup,
  );
}

const post = (url: string, body: Buffer, contentType = "image/png") =>
  fetch(`${url}/process`, { method: "POST", headers: { "content-type": contentType }, body });

async function rgbOf(response: Response): Promise<Buffer> {
  assert.equal(response.status, 200, await response.clone().text());
  return Buffer.from(await response.arrayBuffer());
}

describe("image-processor", () => {
  let url: string;

  before(async () => {
    url = await processor({ MAX_BODY_BYTES: "200000", MAX_INPUT_PIXELS: "4000000" });
  });

  for (const format of ["png", "jpeg", "webp"] as const) {
    it(`stretches a ${format} to 300x300 RGB for the detector, channels in RGB order, nothing cropped`, async () => {
      // 600x300: a red band 200 wide, then blue. Stretched, red ends at x = 100; a centre crop would
      // end it at x = 50, a letterbox would put black bars above and below.
      const image = await bands(300, [
        [200, RED],
        [400, BLUE],
      ]);
      const encoded =
        format === "png" ? image : await (await import("sharp")).default(image).toFormat(format).toBuffer();
      const response = await post(url, encoded, `image/${format}`);
      assert.equal(response.headers.get("content-type"), "application/octet-stream");
      assert.deepEqual(
        ["x-image-width", "x-image-height", "x-image-channels", "x-original-width", "x-original-height"].map((h) =>
          response.headers.get(h),
        ),
        ["300", "300", "3", "600", "300"],
      );
      const rgb = await rgbOf(response);
      assert.equal(rgb.length, 300 * 300 * 3);
      for (const [x, y, colour] of [
        [75, 150, RED],
        [75, 10, RED],
        [200, 150, BLUE],
        [290, 290, BLUE],
      ] as const) {
        assert.ok(near(pixel(rgb, 300, x, y), colour), `(${x}, ${y}) is ${pixel(rgb, 300, x, y)}, not ${colour}`);
      }
    });
  }

  it("turns the image upright by its EXIF orientation before resizing (6: 90° clockwise)", async () => {
    // Stored landscape, red left and blue right; upright it is portrait with red on top.
    const stored = await bands(200, [
      [200, RED],
      [200, BLUE],
    ]);
    const response = await post(url, await withOrientation(stored, 6), "image/jpeg");
    assert.deepEqual(
      [response.headers.get("x-original-width"), response.headers.get("x-original-height")],
      ["200", "400"],
    );
    const rgb = await rgbOf(response);
    assert.ok(near(pixel(rgb, 300, 260, 50), RED), `top right is ${pixel(rgb, 300, 260, 50)}: red expected on top`);
    assert.ok(near(pixel(rgb, 300, 40, 250), BLUE), `bottom left is ${pixel(rgb, 300, 40, 250)}: blue expected below`);
  });

  it("keeps a white image white (no colour cast from the colour space conversion)", async () => {
    const rgb = await rgbOf(await post(url, await solid(640, 480, WHITE, "jpeg"), "image/jpeg"));
    assert.ok(rgb.every((value) => value >= 250));
  });

  it("drops a transparent PNG's alpha channel: 3 bytes a pixel, as its headers say", async () => {
    // Left half opaque red, right half fully transparent: red, then black (no colour of its own).
    const response = await post(url, await halfTransparent(400, 200, RED));
    assert.equal(response.headers.get("x-image-channels"), "3");
    const rgb = await rgbOf(response);
    assert.equal(rgb.length, 300 * 300 * 3, "RGB, not RGBA");
    assert.deepEqual(pixel(rgb, 300, 50, 150), RED);
    assert.deepEqual(pixel(rgb, 300, 250, 150), [0, 0, 0]);
  });

  it("refuses what it cannot use with one status per kind and a clean message", async () => {
    const png = await solid(640, 480, 128);
    const jpeg = await solid(640, 480, 128, "jpeg");
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');
    const cases: [Buffer, number, string][] = [
      [
        Buffer.from("hello, I am text"),
        415,
        "the body is not an image this service decodes (JPEG, PNG, WebP, GIF, AVIF or TIFF)",
      ],
      [svg, 415, "SVG is not accepted: send a raster image (JPEG, PNG, WebP, GIF, AVIF or TIFF)"],
      [Buffer.alloc(0), 400, "the request body is empty: send the image bytes"],
      [Buffer.alloc(200_001, 1), 413, "the request body is larger than 200000 bytes (MAX_BODY_BYTES)"],
      // Truncated anywhere, header or pixels: the same answer.
      [png.subarray(0, 30), 422, "the PNG image is truncated or corrupt: it cannot be decoded"],
      [png.subarray(0, 120), 422, "the PNG image is truncated or corrupt: it cannot be decoded"],
      [jpeg.subarray(0, 200), 422, "the JPEG image is truncated or corrupt: it cannot be decoded"],
      [
        jpeg.subarray(0, Math.floor(jpeg.length / 2)),
        422,
        "the JPEG image is truncated or corrupt: it cannot be decoded",
      ],
      [await solid(2100, 2000, 0), 413, "the image is 2100x2000 pixels, more than 4000000 pixels (MAX_INPUT_PIXELS)"],
    ];
    for (const [body, status, error] of cases) {
      const response = await post(url, body);
      assert.equal(response.status, status, error);
      assert.deepEqual(await response.json(), { error });
    }
  });

  it("answers its probes, echoes the request id and exports metrics", async () => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
    assert.deepEqual(await (await fetch(`${url}/ready`)).json(), { status: "ready" });
    const echoed = await fetch(`${url}/nowhere`, { headers: { "x-request-id": "req-42" } });
    assert.equal(echoed.status, 404);
    assert.equal(echoed.headers.get("x-request-id"), "req-42");
    const text = await (await fetch(`${url}/metrics`)).text();
    const labels = { service: "image-processor", version: "test" };
    assert.equal(sample(text, "image_processor_duration_seconds_count", labels), 6);
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "POST", route: "/process", code: "413" }),
      2,
    );
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "GET", route: "unmatched", code: "404" }),
      1,
    );
  });

  it("refuses bad settings by name, and a memory limit that leaves nothing to decode with", () => {
    assert.throws(() => imageProcessorSettings({ DETECTOR_INPUT_SIZE: "big" }), {
      message: 'DETECTOR_INPUT_SIZE="big" is not allowed: use a whole number from 32 to 4096',
    });
    assert.throws(() => imageProcessorSettings({ MEMORY_LIMIT_BYTES: String(256 * 1024 * 1024) }), {
      message:
        "a memory limit of 256 MiB leaves 9 MiB to decode images once 8 uploads of up to 10 MiB (MAX_IN_FLIGHT × MAX_BODY_BYTES) " +
        "and 128 MiB for the process are set aside; raise the memory limit, or lower MAX_IN_FLIGHT or MAX_BODY_BYTES",
    });
  });
});

describe("what decoding costs", () => {
  it("knows a progressive JPEG holds its coefficients, and a baseline one shrinks on load", () => {
    const size = { width: 7300, height: 5479, channels: 3 };
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    assert.equal(mib(decodeCost({ ...size, format: "jpeg", isProgressive: true, chromaSubsampling: "4:2:0" })), 151);
    assert.equal(mib(decodeCost({ ...size, format: "jpeg", isProgressive: true, chromaSubsampling: "4:4:4" })), 294);
    assert.equal(mib(decodeCost({ ...size, format: "jpeg", isProgressive: false, chromaSubsampling: "4:2:0" })), 20);
    assert.equal(mib(decodeCost({ ...size, format: "png", isProgressive: true })), 223);
  });

  it("tells formats by their first bytes", async () => {
    assert.equal(sniffFormat(await solid(4, 4, 0, "jpeg")), "jpeg");
    assert.equal(sniffFormat(await solid(4, 4, 0, "png")), "png");
    assert.equal(sniffFormat(await solid(4, 4, 0, "webp")), "webp");
    assert.equal(sniffFormat(Buffer.from("  <svg xmlns='http://www.w3.org/2000/svg'/>")), "svg");
    assert.equal(sniffFormat(Buffer.from("GIF89a...")), "gif");
    assert.equal(sniffFormat(Buffer.from("%PDF-1.7")), undefined);
  });
});

describe("image-processor under load", () => {
  let worst: Buffer;
  before(async () => {
    worst = await worstCaseJpeg();
  });

  it("refuses at once what is over MAX_IN_FLIGHT, with Retry-After", async () => {
    const url = await processor({
      MAX_IN_FLIGHT: "2",
      MAX_BODY_BYTES: String(1024 * 1024),
      MEMORY_LIMIT_BYTES: String(1024 ** 3),
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(url, worst, "image/jpeg")));
    for (const served of answers.filter((r) => r.status === 200)) await served.arrayBuffer();
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 503, 503, 503]);
    for (const refused of answers.filter((r) => r.status === 503)) {
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.deepEqual(await refused.json(), { error: "busy: 2 requests in flight (MAX_IN_FLIGHT); retry shortly" });
    }
  });

  it("queues images for decode memory, and answers 503 when the wait runs out", async () => {
    // Room for one 152 MiB decode at a time; each waits at most a second.
    const url = await processor({
      MAX_IN_FLIGHT: "8",
      MAX_BODY_BYTES: String(1024 * 1024),
      MEMORY_LIMIT_BYTES: String(400 * 1024 * 1024),
      QUEUE_TIMEOUT_SECONDS: "1",
    });
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(url, worst, "image/jpeg")));
    for (const served of answers.filter((r) => r.status === 200)) await served.arrayBuffer();
    const statuses = answers.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 200 || s === 503),
      statuses.join(","),
    );
    assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join(","));
    const refused = answers.find((r) => r.status === 503)!;
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.deepEqual(await refused.json(), {
      error:
        "busy: a 7300x5479 progressive JPEG needs 152 MiB to decode, and the memory stayed in use for 1 s; retry shortly",
    });
  });

  it("refuses with 413 an image whose decode can never fit the budget", async () => {
    const url = await processor({
      MAX_IN_FLIGHT: "1",
      MAX_BODY_BYTES: String(1024 * 1024),
      MEMORY_LIMIT_BYTES: String(300 * 1024 * 1024),
    });
    const response = await post(url, worst, "image/jpeg");
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), {
      error: "a 7300x5479 progressive JPEG needs 152 MiB to decode, more than this instance's whole budget of 126 MiB",
    });
  });
});
