// image-processor: POST /process turns an uploaded image into the detector's input tensor. Requests
// beyond MAX_IN_FLIGHT are refused at once; each admitted one reserves the memory its decode takes
// from a budget sized to the container's memory limit, waiting in line up to QUEUE_TIMEOUT_SECONDS.
import { Histogram } from "prom-client";
import { ByteBudget, mib, mibDown } from "../common/admission";
import { ConfigError, envInt, maxBodyBytes, type Env } from "../common/env";
import { readUpload, send } from "../common/http";
import { memoryLimit } from "../common/memory";
import { createService, type Service, type ServiceBasics } from "../common/server";
import { processImage, type ProcessOptions } from "./process";

/** What the process needs besides decoding: Node, sharp and libvips themselves, measured at about 70 MiB. */
export const RESERVED_BYTES = 128 * 1024 * 1024;
/** The share of the limit the process plans to use; the rest is slack before the OOM killer. */
const USABLE_SHARE = 0.85;

export interface ImageProcessorSettings extends ProcessOptions {
  maxBodyBytes: number;
  maxInFlight: number;
  queueTimeoutMs: number;
  memoryLimitBytes: number;
  /** Bytes decodes may take at once: the limit, less the process, less every body in flight. */
  decodeBudgetBytes: number;
}

export function imageProcessorSettings(env: Env): ImageProcessorSettings {
  const body = maxBodyBytes(env);
  const maxInFlight = envInt(env, "MAX_IN_FLIGHT", 8, { min: 1, max: 1024 });
  const limit = memoryLimit(env);
  const budget = Math.floor(limit * USABLE_SHARE - RESERVED_BYTES - maxInFlight * body);
  if (budget < 32 * 1024 * 1024) {
    throw new ConfigError(
      `a memory limit of ${mib(limit)} leaves ${mibDown(Math.max(0, budget))} to decode images once ${maxInFlight} uploads of ` +
        `up to ${mib(body)} (MAX_IN_FLIGHT × MAX_BODY_BYTES) and ${mib(RESERVED_BYTES)} for the process are set aside; ` +
        "raise the memory limit, or lower MAX_IN_FLIGHT or MAX_BODY_BYTES",
    );
  }
  return {
    maxBodyBytes: body,
    maxInFlight,
    queueTimeoutMs: envInt(env, "QUEUE_TIMEOUT_SECONDS", 10, { min: 1, max: 600 }) * 1000,
    memoryLimitBytes: limit,
    decodeBudgetBytes: budget,
    // SSD MobileNet v1 was trained on 300x300 images.
    size: envInt(env, "DETECTOR_INPUT_SIZE", 300, { min: 32, max: 4096 }),
    maxInputPixels: envInt(env, "MAX_INPUT_PIXELS", 40_000_000, { min: 1, max: 268_402_689 }),
  };
}

export function createImageProcessor(args: ServiceBasics & { settings: ImageProcessorSettings }): Service {
  const { settings, metrics, log } = args;
  const registers = [metrics.registry];
  const processing = new Histogram({
    name: "image_processor_duration_seconds",
    help: "Time to decode, orient, resize and convert one image.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const waiting = new Histogram({
    name: "image_processor_queue_seconds",
    help: "Time an image waited for decode memory before decoding started.",
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const budget = new ByteBudget(settings.decodeBudgetBytes, settings.queueTimeoutMs);
  log.info("decode memory budget", {
    memoryLimitBytes: settings.memoryLimitBytes,
    decodeBudgetBytes: settings.decodeBudgetBytes,
    maxInFlight: settings.maxInFlight,
  });
  return createService({
    ...args,
    maxInFlight: settings.maxInFlight,
    routes: [
      {
        method: "POST",
        path: "/process",
        async handle(req, res, ctx) {
          const body = await readUpload(req, settings.maxBodyBytes);
          const stop = processing.startTimer();
          const processed = await processImage(body, settings, async (bytes, what) => {
            const queued = waiting.startTimer();
            try {
              return await budget.reserve(bytes, what);
            } finally {
              queued();
            }
          });
          stop();
          ctx.log.debug("processed", {
            format: processed.format,
            originalWidth: processed.originalWidth,
            originalHeight: processed.originalHeight,
          });
          send(res, 200, "application/octet-stream", processed.rgb, {
            "x-image-width": String(processed.width),
            "x-image-height": String(processed.height),
            "x-image-channels": "3",
            "x-original-width": String(processed.originalWidth),
            "x-original-height": String(processed.originalHeight),
          });
        },
      },
    ],
  });
}
