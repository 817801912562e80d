// Which model `npm run services` gives object-detector, and what to tell a person when it cannot be
// had: MODEL_PATH, or MODEL_URL with MODEL_SHA256, as the service reads them; else the pinned
// download the stacks deploy (components/config/defaults.ts), cached under ~/.cache.
import * as os from "os";
import * as path from "path";
import { DEFAULT_MODEL } from "../components/config/defaults";

export type LocalModel =
  | { kind: "path"; env: Record<string, string> }
  | { kind: "url"; url: string; sha256: string; env: Record<string, string> };

/** `cwd`: where a relative MODEL_PATH is read from (npm runs scripts in the project, not there). */
export function localModel(env: NodeJS.ProcessEnv, cwd: string): LocalModel {
  if (env.MODEL_PATH) {
    const sha: Record<string, string> = env.MODEL_SHA256 ? { MODEL_SHA256: env.MODEL_SHA256 } : {};
    return { kind: "path", env: { MODEL_PATH: path.resolve(cwd, env.MODEL_PATH), ...sha } };
  }
  const { MODEL_URL: url, MODEL_SHA256: sha256 } = env.MODEL_URL
    ? { MODEL_URL: env.MODEL_URL, MODEL_SHA256: env.MODEL_SHA256 ?? "" }
    : DEFAULT_MODEL.env;
  // The service's own default is the system temp dir, emptied at reboot; this one outlives it.
  const cacheDir = env.MODEL_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "ai-mesh");
  return { kind: "url", url, sha256, env: { MODEL_URL: url, MODEL_SHA256: sha256, MODEL_CACHE_DIR: cacheDir } };
}

/** object-detector's /ready `model` field while it is not ready (ModelStatus in services/object-detector/app.ts). */
export interface ModelStatus {
  failedAttempts: number;
  lastFailure?: string;
  retryInMs?: number;
  gaveUp: boolean;
}

/**
 * Failed downloads a person waits through before being told: a download cut short or a host's blip
 * heals on the next attempt (the service retries for ever; here someone is waiting).
 */
export const LOCAL_MODEL_ATTEMPTS = 4;

/** Why to stop waiting for the model, from /ready's fields (never its wording), or undefined to wait on. */
export function modelFailure(status: ModelStatus | undefined): string | undefined {
  if (status === undefined) return undefined;
  if (status.gaveUp) return status.lastFailure;
  if (status.failedAttempts < LOCAL_MODEL_ATTEMPTS) return undefined;
  return `${status.failedAttempts} download attempts failed; the last: ${status.lastFailure}`;
}

/** What went wrong with the model, and how to get one, for the person who ran the command. */
export function modelHelp(model: LocalModel, reason: string): string {
  if (model.kind === "path") {
    return [
      `object-detector cannot load the model: ${reason}`,
      `MODEL_PATH must name an ONNX object-detection model file (SSD MobileNet v1's inputs and outputs),`,
      `or leave MODEL_PATH unset to download the pinned model.`,
    ].join("\n");
  }
  return [
    `object-detector cannot get the model: ${reason}`,
    `It downloads ${model.url}`,
    `and loads it only if its SHA-256 is ${model.sha256}.`,
    `Without access to that host, download the file where you can and run:`,
    `  MODEL_PATH=/path/to/${decodeURIComponent(path.basename(new URL(model.url).pathname))} npm run services`,
  ].join("\n");
}
