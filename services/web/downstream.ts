// web's two calls through the mesh: image-processor, then object-detector, each carrying the trace
// context of the upload so the three services show up as one trace.
import { HttpError, errorMessage } from "../common/http";

export interface DownstreamSettings {
  imageProcessorUrl: string;
  objectDetectorUrl: string;
  timeoutMs: number;
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
  image: Buffer,
  contentType: string,
  headers: Record<string, string>,
): Promise<ProcessedImage> {
  const response = await call("image-processor", `${settings.imageProcessorUrl}/process`, settings.timeoutMs, {
    method: "POST",
    headers: { ...headers, "content-type": contentType },
    body: image,
  });
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
): Promise<DetectResult> {
  const response = await call("object-detector", `${settings.objectDetectorUrl}/detect`, settings.timeoutMs, {
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/octet-stream",
      "x-image-width": String(image.width),
      "x-image-height": String(image.height),
    },
    body: image.rgb,
  });
  return (await response.json()) as DetectResult;
}

/**
 * One downstream request. Its 4xx answers (a bad image, say) go back to the uploader as they are;
 * anything else becomes 502, a timeout 504, and not-ready 503, naming the service.
 */
async function call(service: string, url: string, timeoutMs: number, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") {
      throw new HttpError(504, `${service} did not answer within ${timeoutMs} ms (DOWNSTREAM_TIMEOUT_SECONDS)`);
    }
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new HttpError(502, `${service} is unreachable at ${url}: ${cause}`);
  }
  if (response.ok) return response;
  const message = `${service}: ${await errorMessage(response)}`;
  if (response.status >= 400 && response.status < 500) throw new HttpError(response.status, message);
  throw new HttpError(response.status === 503 ? 503 : 502, message);
}
