// image-processor: POST /process turns an uploaded image into the detector's input tensor.
import { Histogram } from "prom-client";
import { envInt, maxBodyBytes, type Env } from "../common/env";
import { readUpload, send } from "../common/http";
import { createService, type Service, type ServiceBasics } from "../common/server";
import { processImage, type ProcessOptions } from "./process";

export interface ImageProcessorSettings extends ProcessOptions {
  maxBodyBytes: number;
}

export function imageProcessorSettings(env: Env): ImageProcessorSettings {
  return {
    maxBodyBytes: maxBodyBytes(env),
    // SSD MobileNet v1 was trained on 300x300 images.
    size: envInt(env, "DETECTOR_INPUT_SIZE", 300, { min: 32, max: 4096 }),
    maxInputPixels: envInt(env, "MAX_INPUT_PIXELS", 40_000_000, { min: 1, max: 268_402_689 }),
  };
}

export function createImageProcessor(args: ServiceBasics & { settings: ImageProcessorSettings }): Service {
  const { settings, metrics } = args;
  const processing = new Histogram({
    name: "image_processor_duration_seconds",
    help: "Time to decode, orient, resize and convert one image.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  return createService({
    ...args,
    routes: [
      {
        method: "POST",
        path: "/process",
        async handle(req, res, ctx) {
          const body = await readUpload(req, settings.maxBodyBytes);
          const stop = processing.startTimer();
          const processed = await processImage(body, settings);
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
