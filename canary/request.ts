// What a promotion will do, worked out from the stack file alone, before anything needs the Pulumi
// CLI: the service, the target and stable versions, the settings with the command line's overrides,
// and a promotion under way to resume or roll back. Every refusal names the flag and what is allowed.
import * as fs from "fs";
import * as path from "path";
import { parseConfig, rawConfig, type CanaryConfig, type RootConfig, type ServiceConfig } from "../components/config";
import { canarySchema } from "../components/config/serviceFields";
import { UsageError } from "../cli/args";
import { stackFilePath } from "../cli/project";
import { readStackFile, readWeights } from "../cli/stackFile";
import type { Weights } from "../components/core/weights";
import { defaultFrom } from "./steps";

export interface PromotionRequest {
  /** The project directory holding Pulumi.<stack>.yaml. */
  workDir: string;
  stack: string;
  /** The service's config key, e.g. objectDetector. */
  service: string;
  to?: string;
  from?: string;
  /** Overrides of the service's canary config. */
  overrides?: Partial<CanaryConfig>;
  /** Restore the weights the interrupted or running promotion started from. */
  rollback?: boolean;
  /** Where reports and the resume state go. */
  outDir: string;
}

/** What a promotion under way keeps on disk, so a later run resumes it or rolls it back. */
export interface ResumeState {
  from: string;
  to: string;
  start: Weights;
}

interface Common {
  file: string;
  config: RootConfig;
  service: ServiceConfig;
  current: Weights;
  stateFile: string;
}

export type Promotion =
  | (Common & { kind: "rollback"; saved: ResumeState })
  | (Common & { kind: "promote"; from: string; to: string; start: Weights; settings: CanaryConfig });

/** The service's canary config with the command line's overrides, validated as config is. */
export function canarySettings(config: CanaryConfig, overrides: Partial<CanaryConfig>): CanaryConfig {
  const result = canarySchema.safeParse({ ...config, ...overrides });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `--${flagName(String(issue.path[0]))}: ${issue.message}`);
  throw new UsageError(`invalid canary settings: ${problems.join("; ")}`);
}

/** The flag that sets a canary setting: maxErrorRatePercent → max-error-rate. */
export function flagName(setting: string): string {
  return CANARY_FLAGS.find((flag) => flag.setting === setting)?.flag ?? setting;
}

/** Command-line flags for the canary settings; numbers are parsed, the schema checks the rest. */
export const CANARY_FLAGS: { flag: string; setting: keyof CanaryConfig; kind: "list" | "duration" | "number" }[] = [
  { flag: "steps", setting: "steps", kind: "list" },
  { flag: "interval", setting: "interval", kind: "duration" },
  { flag: "max-error-rate", setting: "maxErrorRatePercent", kind: "number" },
  { flag: "max-p99-ms", setting: "maxP99Ms", kind: "number" },
  { flag: "min-requests", setting: "minRequests", kind: "number" },
  { flag: "threshold", setting: "threshold", kind: "number" },
];

/** The overrides the given flags spell (`value` reads one flag, undefined when absent). */
export function canaryOverrides(value: (flag: string) => string | undefined): Partial<CanaryConfig> {
  const overrides: Record<string, unknown> = {};
  for (const { flag, setting, kind } of CANARY_FLAGS) {
    const raw = value(flag);
    if (raw === undefined) continue;
    const number = (text: string) => {
      const parsed = Number(text);
      if (text.trim() === "" || !Number.isFinite(parsed)) {
        throw new UsageError(`invalid canary settings: --${flag}: ${JSON.stringify(text)} is not a number`);
      }
      return parsed;
    };
    overrides[setting] = kind === "list" ? raw.split(",").map(number) : kind === "number" ? number(raw) : raw;
  }
  return overrides as Partial<CanaryConfig>;
}

function statePath(outDir: string, stack: string, service: string): string {
  return path.join(outDir, "canary", `${stack}-${service}.state.json`);
}

/** Works the promotion out from the stack file; throws, naming the flag, when it cannot be done. */
export function requestPromotion(request: PromotionRequest): Promotion {
  const file = stackFilePath(request.stack, request.workDir);
  const config = parseConfig(rawConfig(readStackFile(request.stack, file).config));
  const service = config.services.list.find((s) => s.key === request.service);
  if (!service) {
    throw new UsageError(
      `--service ${request.service}: no such service in ${file}; services: ${config.services.list.map((s) => s.key).join(", ")}`,
    );
  }
  const current = readWeights(file, service.key);
  const stateFile = statePath(request.outDir, request.stack, service.key);
  const saved = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as ResumeState) : undefined;
  const common = { file, config, service, current, stateFile };

  if (request.rollback) {
    if (!saved) {
      throw new UsageError(
        `--rollback: no promotion of ${service.key} on ${request.stack} is under way (no ${stateFile}); nothing to roll back`,
      );
    }
    return { ...common, kind: "rollback", saved };
  }
  const versions = Object.keys(current).join(", ");
  const to = request.to;
  if (!to || !(to in current)) {
    throw new UsageError(`--to ${to ?? "(missing)"}: not a version of ${service.key}; declared: ${versions}`);
  }
  if (Object.keys(current).length < 2) {
    throw new UsageError(`--to ${to}: ${service.key} has one version; there is nothing to move weight from`);
  }
  const from = request.from ?? (saved?.to === to ? saved.from : defaultFrom(current, to));
  if (!(from in current) || from === to) {
    throw new UsageError(`--from ${from}: must be another version of ${service.key}; declared: ${versions}`);
  }
  const settings = canarySettings(service.canary, request.overrides ?? {});
  // A resumed promotion keeps the weights the first run started from, for --rollback.
  const start = saved && saved.to === to && saved.from === from ? saved.start : current;
  return { ...common, kind: "promote", from, to, start, settings };
}
