// Puts the model file on disk and proves it is the one configured: a download is streamed into the
// cache while hashed, and only renamed into place when its SHA-256 matches. A failed download, of
// whatever kind, is tried again after a pause that doubles up to a cap.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { rootCause } from "../common/cause";
import type { Logger } from "../common/log";
import type { ModelSource } from "./modelSource";

export interface ModelFile {
  path: string;
  sha256: string;
  bytes: number;
  source: "path" | "cache" | "download";
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Called before each pause after a failed download, with why and for how long. */
export type OnRetry = (reason: string, attempt: number, delayMs: number) => void;

/** `stop` ends the retries (the process is shutting down). */
export async function fetchModel(
  source: ModelSource,
  log: Logger,
  onRetry: OnRetry = () => undefined,
  stop?: AbortSignal,
): Promise<ModelFile> {
  if (source.kind === "path") {
    const bytes = await fileSize(source.path);
    if (bytes === undefined) throw new Error(`MODEL_PATH ${source.path} does not exist`);
    const sha256 = await sha256File(source.path);
    if (source.sha256 !== undefined && sha256 !== source.sha256) throw mismatch(source.path, source.sha256, sha256);
    return { path: source.path, sha256, bytes, source: "path" };
  }
  const target = join(source.cacheDir, `${source.sha256}.onnx`);
  const cached = await fileSize(target);
  if (cached !== undefined) {
    const sha256 = await sha256File(target);
    if (sha256 === source.sha256) return { path: target, sha256, bytes: cached, source: "cache" };
    log.warn("cached model does not match MODEL_SHA256; downloading it again", { path: target, actual: sha256 });
    await rm(target, { force: true });
  }
  await mkdir(source.cacheDir, { recursive: true });
  // Every failure is worth another try: a host down now may be up in an hour, and a 200 with a proxy's
  // HTML page or a body cut short gives a wrong checksum once and the right file the next time. A
  // wrong URL or MODEL_SHA256 keeps failing, visibly, in /ready and the log, at the capped pace.
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = await download(source, target, log, stop);
      return { path: target, sha256: source.sha256, bytes, source: "download" };
    } catch (error) {
      if (stop?.aborted) throw error;
      const delayMs = Math.min(source.retryMaxMs, source.retryBaseMs * 2 ** (attempt - 1));
      // download() names the root cause (ECONNREFUSED, not fetch's "fetch failed"); see failed().
      const reason = error instanceof Error ? error.message : String(error);
      log.warn("model download failed; retrying", { attempt, delayMs, error: reason });
      onRetry(reason, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: stop });
    }
  }
}

/** A failed download named by what really happened (ECONNREFUSED, not fetch's "fetch failed"). */
function failed(url: string, error: unknown): Error {
  return new Error(`GET ${url} failed: ${rootCause(error)}`);
}

async function download(
  source: Extract<ModelSource, { kind: "url" }>,
  target: string,
  log: Logger,
  stop: AbortSignal | undefined,
): Promise<number> {
  const partial = `${target}.${process.pid}.part`;
  const timeout = AbortSignal.timeout(source.timeoutMs);
  const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
  // A missed deadline names its setting, not fetch's "The operation was aborted due to timeout".
  const cause = (error: unknown) =>
    timeout.aborted
      ? new Error(
          `GET ${source.url} did not finish within ${source.timeoutMs / 1000} s (MODEL_DOWNLOAD_TIMEOUT_SECONDS)`,
        )
      : failed(source.url, error);
  const response = await fetch(source.url, { redirect: "follow", signal }).catch((error: unknown) => {
    throw cause(error);
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`GET ${source.url} answered HTTP ${response.status}`);
  }
  const total = Number(response.headers.get("content-length")) || undefined;
  log.info("downloading model", { url: source.url, bytes: total });
  const hash = createHash("sha256");
  let received = 0;
  let reported = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      // Progress every quarter (or every 16 MiB when the size is unknown): downloads can take minutes.
      const step = total ? total / 4 : 16 * 1024 * 1024;
      if (received - reported >= step) {
        reported = received;
        log.info("downloading model", {
          received,
          bytes: total,
          percent: total ? Math.round((100 * received) / total) : undefined,
        });
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      meter,
      createWriteStream(partial),
    ).catch((error: unknown) => {
      throw cause(error);
    });
    const actual = hash.digest("hex");
    if (actual !== source.sha256) {
      // What the host said it sent: a text/html answer is a page (a proxy's sign-in), not the model.
      const type = response.headers.get("content-type");
      const page = type?.startsWith("text/") ? ": a page, not the model file" : "";
      throw new Error(
        `model checksum mismatch for ${source.url}: MODEL_SHA256 is ${source.sha256} but the ${received} bytes ` +
          `downloaded (${type ? `Content-Type ${type}${page}` : "no Content-Type"}) hash to ${actual}`,
      );
    }
    await rename(partial, target);
    log.info("model downloaded and verified", { path: target, bytes: received, sha256: actual });
    return received;
  } finally {
    await rm(partial, { force: true });
  }
}

function mismatch(where: string, expected: string, actual: string): Error {
  return new Error(
    `model checksum mismatch for ${where}: MODEL_SHA256 is ${expected} but the file's SHA-256 is ${actual}; fix MODEL_URL/MODEL_PATH or MODEL_SHA256`,
  );
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}
