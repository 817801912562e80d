// image-processor on loopback: real images in every common format, EXIF orientation, bad input,
// probes and metrics.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createImageProcessor, imageProcessorSettings } from "../image-processor/app";
import { Cleanup, captured, listen } from "./support/harness";
import { rotatedJpeg, solid } from "./support/images";
import { sample } from "./support/metrics";

const cleanup = new Cleanup();
after(() => cleanup.run());

describe("image-processor", () => {
  let url: string;

  before(async () => {
    const out = captured("image-processor");
    const settings = imageProcessorSettings({ MAX_BODY_BYTES: "200000", MAX_INPUT_PIXELS: "4000000" });
    url = await listen(createImageProcessor({ ...out, settings }), cleanup);
  });

  const post = (body: Buffer, contentType = "image/png") =>
    fetch(`${url}/process`, { method: "POST", headers: { "content-type": contentType }, body });

  for (const format of ["png", "jpeg", "webp"] as const) {
    it(`turns a ${format} into 300x300 RGB for the detector`, async () => {
      const response = await post(await solid(640, 480, 255, format), `image/${format}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/octet-stream");
      assert.equal(response.headers.get("x-image-width"), "300");
      assert.equal(response.headers.get("x-image-height"), "300");
      assert.equal(response.headers.get("x-image-channels"), "3");
      assert.equal(response.headers.get("x-original-width"), "640");
      assert.equal(response.headers.get("x-original-height"), "480");
      const rgb = Buffer.from(await response.arrayBuffer());
      assert.equal(rgb.length, 300 * 300 * 3);
      assert.ok(
        rgb.every((value) => value >= 250),
        "a white image stays white",
      );
    });
  }

  it("applies the EXIF orientation before resizing", async () => {
    const response = await post(await rotatedJpeg(400, 200), "image/jpeg");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-original-width"), "200");
    assert.equal(response.headers.get("x-original-height"), "400");
  });

  it("refuses what is not an image, an empty body, a truncated image, an oversize body and too many pixels", async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [
        post(Buffer.from("hello, I am text"), "text/plain"),
        415,
        /^the body is not an image this service can decode \(JPEG, PNG, WebP, GIF, AVIF or TIFF\): /,
      ],
      [post(Buffer.alloc(0)), 400, /^the request body is empty: send the image bytes$/],
      [post(Buffer.alloc(200_001, 1)), 413, /^the request body is larger than 200000 bytes \(MAX_BODY_BYTES\)$/],
      [post((await solid(640, 480, 128)).subarray(0, 120)), 422, /^the image could not be decoded: /],
      [
        post(await solid(2100, 2000, 0)),
        413,
        /^the image is 2100x2000 pixels, more than 4000000 \(MAX_INPUT_PIXELS\)$/,
      ],
    ];
    for (const [pending, status, error] of cases) {
      const response = await pending;
      assert.equal(response.status, status);
      assert.match(((await response.json()) as { error: string }).error, error);
    }
  });

  it("answers its probes and exports metrics", async () => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
    assert.deepEqual(await (await fetch(`${url}/ready`)).json(), { status: "ready" });
    assert.equal((await fetch(`${url}/nowhere`)).status, 404);
    const text = await (await fetch(`${url}/metrics`)).text();
    const labels = { service: "image-processor", version: "test" };
    assert.equal(sample(text, "image_processor_duration_seconds_count", labels), 4);
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "POST", route: "/process", code: "413" }),
      2,
    );
    assert.equal(
      sample(text, "http_server_requests_total", { ...labels, method: "GET", route: "unmatched", code: "404" }),
      1,
    );
  });

  it("refuses bad settings by name", () => {
    assert.throws(() => imageProcessorSettings({ DETECTOR_INPUT_SIZE: "big" }), {
      message: 'DETECTOR_INPUT_SIZE="big" is not allowed: use a whole number from 32 to 4096',
    });
  });
});
