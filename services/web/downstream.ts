// web's two calls through the mesh: image-processor, then object-detector, each carrying the trace
// context of the upload so the three services show up as one trace. The upload is streamed through
// to image-processor as it arrives, never held whole: twenty 10 MiB uploads must not cost 200 MiB.
import type { IncomingMessage } from "node:http";
import { rootCause } from "../common/cause";
import { HttpError, errorMessage } from "../common/http";
import type { Logger } from "../common/log";
import { didNotAnswer, streamUpload, type UploadLimits } from "./upload";

export interface DownstreamSettings extends UploadLimits {
  imageProcessorUrl: string;
  objectDetectorUrl: string;
}

export interface ProcessedImage {
  rgb: Buffer;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

export interface DetectResult {
  detections: unknown[];
  model: unknown;
  inferenceMs: number;
}

export async function processImage(
  settings: DownstreamSettings,
  upload: IncomingMessage,
  contentType: string,
  headers: Record<string, string>,
  log: Logger,
): Promise<ProcessedImage> {
  const url = `${settings.imageProcessorUrl}/process`;
  const response = await call(
    "image-processor",
    url,
    () => streamUpload("image-processor", url, { ...headers, "content-type": contentType }, upload, settings),
    log,
  );
  const size = (name: string) => Number(response.headers.get(name));
  return {
    rgb: Buffer.from(await response.arrayBuffer()),
    width: size("x-image-width"),
    height: size("x-image-height"),
    originalWidth: size("x-original-width"),
    originalHeight: size("x-original-height"),
  };
}

export async function detect(
  settings: DownstreamSettings,
  image: ProcessedImage,
  headers: Record<string, string>,
  log: Logger,
): Promise<DetectResult> {
  const url = `${settings.objectDetectorUrl}/detect`;
  const signal = AbortSignal.timeout(settings.timeoutMs);
  const response = await call(
    "object-detector",
    url,
    () =>
      fetch(url, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/octet-stream",
          "x-image-width": String(image.width),
          "x-image-height": String(image.height),
        },
        body: image.rgb,
        signal,
      }).catch((error: unknown) => {
        throw signal.aborted ? didNotAnswer("object-detector", settings.timeoutMs) : error;
      }),
    log,
  );
  return (await response.json()) as DetectResult;
}

/**
 * One downstream request. Its 4xx answers (a bad image, say) go back to the uploader as they are;
 * a 503 stays 503 (with the Retry-After it came with), the sender's own verdicts (408 slow client,
 * 413, 504 slow upstream) stay as they are, anything else is 502. The uploader learns which service
 * failed, never where it runs: addresses and upstream pages are logged.
 */
async function call(service: string, url: string, send: () => Promise<Response>, log: Logger): Promise<Response> {
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    log.error(`${service} is unreachable`, { url, cause: rootCause(error) });
    throw new HttpError(502, `${service} is unreachable`);
  }
  if (response.ok) return response;
  if (response.status >= 400 && response.status < 500) {
    throw new HttpError(response.status, `${service}: ${await errorMessage(response)}`);
  }
  const detail = await errorMessage(response);
  log.error(`${service} failed`, { url, status: response.status, detail });
  if (response.status === 503) {
    const retryAfter = response.headers.get("retry-after");
    throw new HttpError(
      503,
      `${service} is busy or not ready; retry shortly`,
      retryAfter ? { "retry-after": retryAfter } : {},
    );
  }
  throw new HttpError(502, `${service} failed (HTTP ${response.status})`);
}
