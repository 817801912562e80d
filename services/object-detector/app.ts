// object-detector: loads the model (readiness stays red until it has), then POST /detect runs it on
// the raw RGB that image-processor produces. At most MAX_IN_FLIGHT requests at once: each holds its
// body and the model's tensors, and beyond that 503 with Retry-After, body unread.
import { Counter, Gauge, Histogram } from "prom-client";
import { cpuLimit } from "../common/cpus";
import { envChoice, envInt, envNumber, type Env } from "../common/env";
import { HttpError, mediaType, readBody, sendJson } from "../common/http";
import { createService, type Service, type ServiceBasics } from "../common/server";
import { loadDetector, type DetectOptions, type Detector, type ProviderChoice } from "./detector";
import { fetchModel, type ModelFile } from "./modelFile";
import { modelSource, type ModelSource } from "./modelSource";

/** What a /detect refused while the model loads says to wait: downloads take seconds to minutes. */
const NOT_READY_RETRY_SECONDS = "5";

/** /ready's `model` field while not ready: what a launcher decides on, not the wording of `reason`. */
export interface ModelStatus {
  failedAttempts: number;
  lastFailure?: string;
  retryInMs?: number;
  /** No more attempts: a file that will not load, a MODEL_PATH that is not there. */
  gaveUp: boolean;
}

export interface ObjectDetectorSettings extends DetectOptions {
  model: ModelSource;
  provider: ProviderChoice;
  threads: number;
  maxImageSide: number;
  maxInFlight: number;
}

export function objectDetectorSettings(env: Env): ObjectDetectorSettings {
  return {
    model: modelSource(env),
    provider: envChoice<ProviderChoice>(env, "EXECUTION_PROVIDER", "auto", ["auto", "cuda", "cpu"]),
    threads: envInt(env, "INFERENCE_THREADS", cpuLimit(), { min: 1, max: 256 }),
    minScore: envNumber(env, "MIN_SCORE", 0.5, { min: 0, max: 1 }),
    maxDetections: envInt(env, "MAX_DETECTIONS", 20, { min: 1, max: 100 }),
    maxImageSide: envInt(env, "MAX_IMAGE_SIDE", 2048, { min: 32, max: 8192 }),
    // Inference runs one image at a time per thread pool: more in flight only queue, holding memory.
    maxInFlight: envInt(env, "MAX_IN_FLIGHT", 8, { min: 1, max: 1024 }),
  };
}

export interface ObjectDetector {
  service: Service;
  /** Fetches, verifies and loads the model; readiness reports how that went. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createObjectDetector(args: ServiceBasics & { settings: ObjectDetectorSettings }): ObjectDetector {
  const { settings, log, metrics } = args;
  // Ready exactly when the model is loaded; until then, notReadyReason says why not.
  let loaded: { model: ModelFile; detector: Detector } | undefined;
  let notReadyReason = "loading the model";
  // The same, for programs (npm run services): failed download attempts, and whether it gave up.
  let modelStatus: ModelStatus = { failedAttempts: 0, gaveUp: false };

  const registers = [metrics.registry];
  const inference = new Histogram({
    name: "object_detector_inference_seconds",
    help: "Time ONNX Runtime takes to run the model on one image.",
    labelNames: ["provider"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const found = new Counter({
    name: "object_detector_detections_total",
    help: "Objects reported, by label.",
    labelNames: ["label"],
    registers,
  });
  const modelLoaded = new Gauge({
    name: "object_detector_model_loaded",
    help: "1 once the model is verified and loaded, with its checksum and execution provider.",
    labelNames: ["sha256", "provider"],
    registers,
  });

  // Set on stop(): ends the download retries of a model that never came.
  const stopping = new AbortController();

  const service = createService({
    ...args,
    maxInFlight: settings.maxInFlight,
    readiness: () =>
      loaded ? { ready: true } : { ready: false, reason: notReadyReason, detail: { model: modelStatus } },
    routes: [
      {
        method: "POST",
        path: "/detect",
        async handle(req, res, ctx) {
          // A client (web) passes Retry-After on: try again in a few seconds rather than at once.
          if (loaded === undefined) {
            throw new HttpError(503, `not ready: ${notReadyReason}`, { "retry-after": NOT_READY_RETRY_SECONDS });
          }
          const { model, detector } = loaded;
          const { width, height } = imageSize(req.headers, settings.maxImageSide);
          if (mediaType(req) !== "application/octet-stream") {
            throw new HttpError(
              415,
              "send raw 8-bit RGB as application/octet-stream, as image-processor's /process returns it",
            );
          }
          const rgb = await readBody(req, width * height * 3, "x-image-width × x-image-height × 3");
          if (rgb.length !== width * height * 3) {
            throw new HttpError(
              400,
              `the body has ${rgb.length} bytes; ${width}x${height} RGB needs ${width * height * 3}`,
            );
          }
          const stop = inference.startTimer({ provider: detector.provider });
          const detections = await detector.detect(rgb, width, height, settings);
          const seconds = stop();
          for (const detection of detections) found.inc({ label: detection.label });
          ctx.log.debug("detected", { count: detections.length });
          sendJson(res, 200, {
            detections,
            model: { name: settings.model.name, sha256: model.sha256, provider: detector.provider },
            inferenceMs: Math.round(seconds * 1000),
          });
        },
      },
    ],
  });

  return {
    service,
    async start() {
      const started = Date.now();
      try {
        const model = await fetchModel(
          settings.model,
          log,
          (reason, attempt, delayMs) => {
            notReadyReason = `model download attempt ${attempt} failed (${reason}); retrying in ${delayMs} ms`;
            modelStatus = { failedAttempts: attempt, lastFailure: reason, retryInMs: delayMs, gaveUp: false };
          },
          stopping.signal,
        );
        const detector = await loadDetector(model.path, {
          provider: settings.provider,
          threads: settings.threads,
          log,
        });
        loaded = { model, detector };
        modelLoaded.set({ sha256: model.sha256, provider: detector.provider }, 1);
        log.info("model loaded; ready", {
          path: model.path,
          from: model.source,
          bytes: model.bytes,
          sha256: model.sha256,
          provider: detector.provider,
          threads: settings.threads,
          seconds: (Date.now() - started) / 1000,
        });
      } catch (error) {
        if (stopping.signal.aborted) return;
        notReadyReason = (error as Error).message;
        modelStatus = { ...modelStatus, lastFailure: notReadyReason, gaveUp: true };
        log.error(`model not loaded; /ready stays 503: ${(error as Error).message}`);
      }
    },
    async stop() {
      stopping.abort();
      await loaded?.detector.release();
    },
  };
}

function imageSize(headers: NodeJS.Dict<string | string[]>, maxSide: number): { width: number; height: number } {
  const side = (name: string) => {
    const raw = headers[name];
    const value = Number(raw);
    if (typeof raw !== "string" || !Number.isInteger(value) || value < 1 || value > maxSide) {
      throw new HttpError(
        400,
        `header ${name} must be a whole number from 1 to ${maxSide} (MAX_IMAGE_SIDE); got ${JSON.stringify(raw ?? null)}`,
      );
    }
    return value;
  };
  return { width: side("x-image-width"), height: side("x-image-height") };
}
