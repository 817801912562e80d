// Puts the model file on disk and proves it is the one configured: a download is streamed into the
// cache while hashed, and only renamed into place when its SHA-256 matches.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../common/log";
import type { ModelSource } from "./modelSource";

export interface ModelFile {
  path: string;
  sha256: string;
  bytes: number;
  source: "path" | "cache" | "download";
}

/** A model that can never load as configured: retrying will not help, the config must change. */
export class ModelError extends Error {}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Called before each pause after a failed download, with why and for how long. */
export type OnRetry = (reason: string, attempt: number, delayMs: number) => void;

export async function fetchModel(
  source: ModelSource,
  log: Logger,
  onRetry: OnRetry = () => undefined,
): Promise<ModelFile> {
  if (source.kind === "path") {
    const bytes = await fileSize(source.path);
    if (bytes === undefined) throw new ModelError(`MODEL_PATH ${source.path} does not exist`);
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
  // A model host that is down now may be up in an hour: keep trying, never wedge unready for good.
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = await download(source, target, log);
      return { path: target, sha256: source.sha256, bytes, source: "download" };
    } catch (error) {
      if (error instanceof ModelError) throw error;
      const delayMs = Math.min(source.retryMaxMs, source.retryBaseMs * 2 ** (attempt - 1));
      // fetch's own message is "fetch failed": the cause says what failed (ENOTFOUND, ECONNREFUSED).
      const cause = (error as { cause?: Error }).cause;
      const reason = cause ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
      log.warn("model download failed; retrying", { attempt, delayMs, error: reason });
      onRetry(reason, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function download(source: Extract<ModelSource, { kind: "url" }>, target: string, log: Logger): Promise<number> {
  const partial = `${target}.${process.pid}.part`;
  const response = await fetch(source.url, { redirect: "follow", signal: AbortSignal.timeout(source.timeoutMs) });
  if (!response.ok || response.body === null) {
    const message = `GET ${source.url} answered HTTP ${response.status}`;
    // A missing or forbidden file stays missing: only server errors are worth another try.
    throw response.status >= 400 && response.status < 500 && response.status !== 429
      ? new ModelError(message)
      : new Error(message);
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
    );
    const actual = hash.digest("hex");
    if (actual !== source.sha256) throw mismatch(source.url, source.sha256, actual);
    await rename(partial, target);
    log.info("model downloaded and verified", { path: target, bytes: received, sha256: actual });
    return received;
  } finally {
    await rm(partial, { force: true });
  }
}

function mismatch(where: string, expected: string, actual: string): ModelError {
  return new ModelError(
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
