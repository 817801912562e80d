// web: the upload page, and POST /api/detect, which runs an image through image-processor and
// object-detector and returns what was found. The upload streams through; at most MAX_IN_FLIGHT
// uploads at once, the rest get 503 with Retry-After.
import { envInt, envOptional, envUrl, maxBodyBytes, notAllowed, type Env } from "../common/env";
import { HttpError, mediaType, send, sendJson, tooLarge } from "../common/http";
import { createService, type Route, type Service, type ServiceBasics } from "../common/server";
import { detect, processImage, type DownstreamSettings } from "./downstream";
import { FAVICON_SVG, PAGE_CSS, PAGE_JS, pageHtml } from "./page";

export interface WebSettings extends DownstreamSettings {
  maxInFlight: number;
  /** Request headers copied onto both downstream calls besides the trace context. */
  forwardHeaders: string[];
}

/** x-session-id: the key object-detector's consistent-hash load balancing reads (dev stack). */
const DEFAULT_FORWARD_HEADERS = ["x-session-id"];

/** The default headers plus FORWARD_HEADERS: the list adds, so the load balancer's key is never lost. */
function headerList(env: Env): string[] {
  const raw = envOptional(env, "FORWARD_HEADERS");
  if (raw === undefined) return DEFAULT_FORWARD_HEADERS;
  const names = raw.split(",").map((name) => name.trim().toLowerCase());
  if (!names.every((name) => /^[a-z0-9-]+$/.test(name))) {
    throw notAllowed("FORWARD_HEADERS", raw, "use comma-separated header names such as x-session-id,x-tenant");
  }
  return [...new Set([...DEFAULT_FORWARD_HEADERS, ...names])];
}

export function webSettings(env: Env): WebSettings {
  return {
    maxInFlight: envInt(env, "MAX_IN_FLIGHT", 32, { min: 1, max: 4096 }),
    forwardHeaders: headerList(env),
    // The mesh's Service names, in the same namespace: the sidecar routes them (mTLS, canary split).
    imageProcessorUrl: envUrl(env, "IMAGE_PROCESSOR_URL", "http://image-processor"),
    objectDetectorUrl: envUrl(env, "OBJECT_DETECTOR_URL", "http://object-detector"),
    timeoutMs: envInt(env, "DOWNSTREAM_TIMEOUT_SECONDS", 30, { min: 1, max: 600 }) * 1000,
    maxBodyBytes: maxBodyBytes(env),
    // A minimum rate after a grace period (Apache's mod_reqtimeout), not a deadline per body: a fixed
    // deadline long enough for a 10 MiB photo over a slow uplink lets a trickler hold a slot as long.
    bodyTimeoutMs: envInt(env, "BODY_TIMEOUT_SECONDS", 10, { min: 1, max: 600 }) * 1000,
    bodyMinBytesPerSecond: envInt(env, "BODY_MIN_BYTES_PER_SECOND", 8192, { min: 1, max: 1024 * 1024 * 1024 }),
    // The rate alone lets a body just above it hold one of image-processor's slots for many minutes
    // (10 MiB at 10 KB/s: 17 min): once it is called, the rest of the body has a deadline too.
    bodyDeadlineMs: envInt(env, "BODY_DEADLINE_SECONDS", 30, { min: 1, max: 600 }) * 1000,
  };
}

const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

function forwarded(incoming: NodeJS.Dict<string | string[]>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = incoming[name];
      return typeof value === "string" && value !== "" ? [[name, value]] : [];
    }),
  );
}

function staticRoute(path: string, contentType: string, body: string): Route {
  return { method: "GET", path, handle: (_req, res) => send(res, 200, contentType, body, PAGE_HEADERS) };
}

export function createWeb(args: ServiceBasics & { settings: WebSettings }): Service {
  const { settings } = args;
  return createService({
    ...args,
    maxInFlight: settings.maxInFlight,
    routes: [
      staticRoute("/", "text/html; charset=utf-8", pageHtml(settings)),
      staticRoute("/app.js", "text/javascript; charset=utf-8", PAGE_JS),
      staticRoute("/app.css", "text/css; charset=utf-8", PAGE_CSS),
      staticRoute("/favicon.svg", "image/svg+xml", FAVICON_SVG),
      {
        method: "POST",
        path: "/api/detect",
        async handle(req, res, ctx) {
          const type = mediaType(req);
          if (type === "image/svg+xml") {
            throw new HttpError(415, "SVG is not accepted: send a raster image (JPEG, PNG, WebP, GIF, AVIF or TIFF)");
          }
          if (!type.startsWith("image/") && type !== "application/octet-stream") {
            throw new HttpError(
              415,
              `send the image itself with an image/* content type, not ${type || "no content type"}`,
            );
          }
          const declared = req.headers["content-length"];
          if (declared === "0") throw new HttpError(400, "the request body is empty: send the image bytes");
          if (Number(declared) > settings.maxBodyBytes) {
            throw tooLarge(settings.maxBodyBytes);
          }
          const headers = { ...ctx.downstreamHeaders, ...forwarded(req.headers, settings.forwardHeaders) };
          const started = Date.now();
          const processed = await processImage(settings, req, type, headers, ctx.log);
          const processMs = Date.now() - started;
          const result = await detect(settings, processed, headers, ctx.log);
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
