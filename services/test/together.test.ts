// The three services as processes on loopback, wired as the mesh wires them: an upload through web
// comes back with detections, the trace context reaches both downstream services (their logs carry
// its trace id), and SIGTERM stops each one cleanly.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Cleanup, closedPort, fakeServer } from "./support/harness";
import { BLUE, RED, WHITE, solid } from "./support/images";
import { startProcess, waitFor, type Running } from "./support/processes";
import { sha256, tinyDetectorModel } from "./support/tinyModel";

const cleanup = new Cleanup();
after(() => cleanup.run());

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

describe("web, image-processor and object-detector together", () => {
  let web: Running;
  let processor: Running;
  let detector: Running;

  before(async () => {
    const model = tinyDetectorModel();
    const models = await fakeServer(() => ({ status: 200, body: model }), cleanup);
    const [webPort, processorPort, detectorPort] = [await closedPort(), await closedPort(), await closedPort()];
    [processor, detector, web] = await Promise.all([
      startProcess("image-processor", processorPort, {}),
      startProcess("object-detector", detectorPort, {
        MODEL_URL: `${models.url}/ssd_mobilenet_v1.onnx`,
        MODEL_SHA256: sha256(model),
        MODEL_CACHE_DIR: await mkdtemp(join(tmpdir(), "models-")),
      }),
      startProcess("web", webPort, {
        IMAGE_PROCESSOR_URL: `http://127.0.0.1:${processorPort}`,
        OBJECT_DETECTOR_URL: `http://127.0.0.1:${detectorPort}`,
      }),
    ]);
    for (const running of [web, processor, detector]) cleanup.add(async () => void (await running.stop()));
    await waitFor("object-detector /ready", async () => (await fetch(`${detector.url}/ready`)).ok);
  });

  it("returns detections for one upload, with the trace context at both downstream services", async () => {
    const response = await fetch(`${web.url}/api/detect`, {
      method: "POST",
      headers: { "content-type": "image/jpeg", traceparent: TRACEPARENT, "x-request-id": "together-1" },
      body: await solid(640, 480, WHITE, "jpeg"),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "together-1");
    const body = (await response.json()) as { detections: { label: string }[]; image: unknown; model: unknown };
    // The test model sees red as a person, blue as a dog; white is all three, best first.
    assert.deepEqual(
      body.detections.map((detection) => detection.label),
      ["dog", "person", "cat"],
    );
    assert.deepEqual(body.image, { width: 640, height: 480 });
    // Which model answered: the file name from MODEL_URL, its checksum, where it ran.
    assert.deepEqual(body.model, {
      name: "ssd_mobilenet_v1.onnx",
      sha256: sha256(tinyDetectorModel()),
      provider: "cpu",
    });
    for (const service of [web, processor, detector]) {
      const posted = () => service.logs.find((line) => line.msg === "request" && line.method === "POST");
      // The access log line is written once the response is out, so it may trail the answer.
      await waitFor(`${service.name} access log`, async () => posted() !== undefined);
      const logged = posted();
      assert.equal(logged?.traceId, TRACE_ID, `${service.name} logged the trace id`);
      assert.equal(logged?.requestId, "together-1", `${service.name} logged the request id`);
      assert.equal(logged?.service, service.name);
      assert.equal(logged?.version, "v1");
    }
  });

  it("keeps red red from upload to model: a red photo is a person, a blue one a dog", async () => {
    const labels = async (colour: typeof RED) => {
      const response = await fetch(`${web.url}/api/detect`, {
        method: "POST",
        headers: { "content-type": "image/png" },
        body: await solid(320, 240, colour, "png"),
      });
      assert.equal(response.status, 200);
      return ((await response.json()) as { detections: { label: string }[] }).detections.map((d) => d.label);
    };
    assert.deepEqual(await labels(RED), ["person"]);
    assert.deepEqual(await labels(BLUE), ["dog"]);
  });

  it("stops each service on SIGTERM with exit code 0", async () => {
    for (const service of [web, processor, detector]) {
      assert.equal(await service.stop(), 0, `${service.name} exit code`);
      const messages = service.logs.map((line) => line.msg);
      assert.ok(
        messages.includes("shutting down") && messages.at(-1) === "stopped",
        `${service.name}: ${messages.join(", ")}`,
      );
    }
  });
});
