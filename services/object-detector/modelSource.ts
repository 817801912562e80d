// Where the model comes from: a file already on disk (MODEL_PATH), or a URL downloaded into
// MODEL_CACHE_DIR and checked against MODEL_SHA256. The URL and checksum are stack config.
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ConfigError, envInt, envOptional, envOptionalUrl, envString, notAllowed, type Env } from "../common/env";

/** `name`: the model's file name, which is how the page and the API say which model answered. */
export type ModelSource =
  | { kind: "path"; name: string; path: string; sha256?: string }
  | {
      kind: "url";
      name: string;
      url: string;
      sha256: string;
      cacheDir: string;
      /** The first pause after a failed download; it doubles up to retryMaxMs, and retries never stop. */
      retryBaseMs: number;
      retryMaxMs: number;
      timeoutMs: number;
    };

const SHA256 = /^[0-9a-f]{64}$/;

export function modelSource(env: Env): ModelSource {
  const path = envOptional(env, "MODEL_PATH");
  const url = envOptionalUrl(env, "MODEL_URL");
  const raw = envOptional(env, "MODEL_SHA256");
  const sha256 = raw?.toLowerCase();
  if (raw !== undefined && !SHA256.test(sha256!)) {
    throw notAllowed("MODEL_SHA256", raw, "use the file's SHA-256 as 64 hexadecimal characters");
  }
  if (path !== undefined) return { kind: "path", name: basename(path), path, sha256 };
  if (url === undefined) {
    throw new ConfigError(
      "no model configured: set MODEL_PATH to a model file, or MODEL_URL and MODEL_SHA256 to download one",
    );
  }
  if (sha256 === undefined) {
    throw new ConfigError(
      `MODEL_URL=${JSON.stringify(url)} needs MODEL_SHA256: a downloaded model is only loaded once its checksum matches`,
    );
  }
  return {
    kind: "url",
    // The cache names the file by its checksum: the URL's last segment is what people know it by.
    name: decodeURIComponent(basename(new URL(url).pathname)),
    url,
    sha256,
    // The platform mounts /models and says so; run by hand as any user, a temporary directory works.
    cacheDir: envString(env, "MODEL_CACHE_DIR", join(tmpdir(), "ai-mesh-models")),
    retryBaseMs: envInt(env, "MODEL_RETRY_BASE_MS", 1000, { min: 10, max: 60_000 }),
    retryMaxMs: envInt(env, "MODEL_RETRY_MAX_SECONDS", 300, { min: 1, max: 3600 }) * 1000,
    timeoutMs: envInt(env, "MODEL_DOWNLOAD_TIMEOUT_SECONDS", 600, { min: 1, max: 3600 }) * 1000,
  };
}
