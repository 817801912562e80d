// web: the upload page, and POST /api/detect, which runs an image through image-processor and
// object-detector and returns what was found.
import { envInt, envUrl, maxBodyBytes, type Env } from "../common/env";
import { HttpError, mediaType, readUpload, send, sendJson } from "../common/http";
import { createService, type Route, type Service, type ServiceBasics } from "../common/server";
import { detect, processImage, type DownstreamSettings } from "./downstream";
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from "./page";

export interface WebSettings extends DownstreamSettings {
  maxBodyBytes: number;
}

export function webSettings(env: Env): WebSettings {
  return {
    // The mesh's Service names, in the same namespace: the sidecar routes them (mTLS, canary split).
    imageProcessorUrl: envUrl(env, "IMAGE_PROCESSOR_URL", "http://image-processor"),
    objectDetectorUrl: envUrl(env, "OBJECT_DETECTOR_URL", "http://object-detector"),
    timeoutMs: envInt(env, "DOWNSTREAM_TIMEOUT_SECONDS", 30, { min: 1, max: 600 }) * 1000,
    maxBodyBytes: maxBodyBytes(env),
  };
}

const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

function staticRoute(path: string, contentType: string, body: string): Route {
  return { method: "GET", path, handle: (_req, res) => send(res, 200, contentType, body, PAGE_HEADERS) };
}

export function createWeb(args: ServiceBasics & { settings: WebSettings }): Service {
  const { settings } = args;
  return createService({
    ...args,
    routes: [
      staticRoute("/", "text/html; charset=utf-8", PAGE_HTML),
      staticRoute("/app.js", "text/javascript; charset=utf-8", PAGE_JS),
      staticRoute("/app.css", "text/css; charset=utf-8", PAGE_CSS),
      {
        method: "POST",
        path: "/api/detect",
        async handle(req, res, ctx) {
          const type = mediaType(req);
          if (!type.startsWith("image/") && type !== "application/octet-stream") {
            throw new HttpError(
              415,
              `send the image itself with an image/* content type, not ${type || "no content type"}`,
            );
          }
          const image = await readUpload(req, settings.maxBodyBytes);
          const started = Date.now();
          const processed = await processImage(settings, image, type, ctx.downstreamHeaders);
          const processMs = Date.now() - started;
          const result = await detect(settings, processed, ctx.downstreamHeaders);
          const detectMs = Date.now() - started - processMs;
          ctx.log.info("detected", { count: result.detections.length, processMs, detectMs });
          sendJson(res, 200, {
            detections: result.detections,
            image: { width: processed.originalWidth, height: processed.originalHeight },
            model: result.model,
            timings: { processMs, detectMs, inferenceMs: result.inferenceMs },
          });
        },
      },
    ],
  });
}
