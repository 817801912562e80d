// web's two calls through the mesh: image-processor, then object-detector, each carrying the trace
// context of the upload so the three services show up as one trace. The upload is streamed through
// to image-processor as it arrives, never held whole: twenty 10 MiB uploads must not cost 200 MiB.
import { request, type IncomingMessage } from "node:http";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HttpError, errorMessage } from "../common/http";
import type { Logger } from "../common/log";

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

/** Counts the upload as it passes, and fails it with 413 past `limit` bytes. */
function byteLimit(limit: number): { meter: Transform; overLimit: () => HttpError | undefined } {
  let seen = 0;
  let refused: HttpError | undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) {
        refused = new HttpError(413, `the request body is larger than ${limit} bytes (MAX_BODY_BYTES)`);
        return done(refused);
      }
      done(null, chunk);
    },
  });
  return { meter, overLimit: () => refused };
}

/**
 * POSTs a stream with node:http and backpressure: the upload moves as fast as the upstream takes it.
 * (fetch with a streamed body keeps what it has read: twenty 10 MiB uploads held 180 MiB, measured.)
 */
async function streamingPost(
  url: string,
  headers: Record<string, string>,
  upload: IncomingMessage,
  meter: Transform,
  signal: AbortSignal,
): Promise<Response> {
  const outgoing = request(url, { method: "POST", headers, signal });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
  });
  // An upstream may answer (413, 503) before the upload is done: the answer wins over the broken pipe.
  const sent = pipeline(upload, meter, outgoing).catch(() => undefined);
  const response = await answered;
  await sent;
  return new Response(Readable.toWeb(response) as ReadableStream, {
    status: response.statusCode,
    headers: Object.entries(response.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
    ),
  });
}

export async function processImage(
  settings: DownstreamSettings & { maxBodyBytes: number },
  upload: IncomingMessage,
  contentType: string,
  headers: Record<string, string>,
  log: Logger,
): Promise<ProcessedImage> {
  const limit = byteLimit(settings.maxBodyBytes);
  const url = `${settings.imageProcessorUrl}/process`;
  const response = await call(
    "image-processor",
    url,
    settings.timeoutMs,
    (signal) => streamingPost(url, { ...headers, "content-type": contentType }, upload, limit.meter, signal),
    log,
    limit.overLimit,
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
  const response = await call(
    "object-detector",
    url,
    settings.timeoutMs,
    (signal) =>
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
      }),
    log,
  );
  return (await response.json()) as DetectResult;
}

/**
 * One downstream request. Its 4xx answers (a bad image, say) go back to the uploader as they are;
 * a 503 stays 503 (with the Retry-After it came with), a timeout becomes 504, anything else 502. The
 * uploader learns which service failed, never where it runs: addresses and upstream pages are logged.
 */
async function call(
  service: string,
  url: string,
  timeoutMs: number,
  send: (signal: AbortSignal) => Promise<Response>,
  log: Logger,
  refusedUpload: () => HttpError | undefined = () => undefined,
): Promise<Response> {
  let response: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    response = await send(signal);
  } catch (error) {
    const refused = refusedUpload();
    if (refused) throw refused;
    if (signal.aborted) {
      throw new HttpError(504, `${service} did not answer within ${timeoutMs} ms (DOWNSTREAM_TIMEOUT_SECONDS)`);
    }
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    log.error(`${service} is unreachable`, { url, cause });
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
