// The only reader of pulumi.Config: raw stack config → one typed, validated, defaulted object. It
// checks the config's own shape; checks that need other layers run in components/preflight.ts.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ConfigError, formatPath, type Problem } from "../core/problems";
import { CONFIG_KEYS, PROJECT, unknownKeyProblems, type ConfigKey } from "./keys";
import { configProblems } from "./rules";
import { rootSchema, type RootConfig } from "./schema";

export * from "./schema";
export { ConfigError, formatPath, type Problem };

export { CONFIG_KEYS, PROJECT };

export interface AppConfig extends RootConfig {
  project: string;
  stack: string;
  /** EKS cluster name (eks mode) or the stated identity of the attached cluster (existing mode). */
  clusterName: string;
  /** Whether GPU nodes exist: always on EKS; as stated for an existing cluster. */
  gpu: boolean;
  /** Alertmanager webhook receiver URL; a secret, never plaintext in state. */
  alertWebhookUrl?: pulumi.Output<string>;
}

function zodProblem(issue: z.core.$ZodIssue): Problem {
  const input = (issue as { input?: unknown }).input;
  const shown = input === undefined || typeof input === "object" ? "" : ` (got ${JSON.stringify(input)})`;
  return { path: formatPath(issue.path) || "config", message: `${issue.message}${shown}` };
}

/**
 * A stack file's `config:` values keyed as parseConfig takes them ("ai-mesh:cluster" → cluster); a
 * key of the project's namespace the program does not read is refused.
 */
export function rawConfig(values: Record<string, unknown>): Record<string, unknown> {
  const unknown = unknownKeyProblems(Object.keys(values));
  if (unknown.length > 0) throw new ConfigError(unknown);
  const raw: Record<string, unknown> = { region: values["aws:region"] };
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(`${PROJECT}:`)) raw[key.slice(PROJECT.length + 1)] = value;
  }
  return raw;
}

/** Validates raw config values (as a stack file holds them) and fills in every default. */
export function parseConfig(raw: Record<string, unknown>): RootConfig {
  const result = rootSchema.safeParse(raw, {
    reportInput: true,
    error: (issue) => (issue.code === "invalid_type" && issue.input === undefined ? "is required" : undefined),
  });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map(zodProblem));
  }
  const problems = configProblems(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** Every resource must get an explicit provider: a forgotten one must fail, not use ~/.kube/config. */
export function defaultProviderProblems(disabled: string[] | undefined): Problem[] {
  const list = disabled ?? [];
  if (list.includes("*") || (list.includes("aws") && list.includes("kubernetes"))) return [];
  return [
    {
      path: "pulumi:disable-default-providers",
      message: `is ${JSON.stringify(disabled ?? null)}; must include "*" (pulumi config set --path 'pulumi:disable-default-providers[0]' '*')`,
    },
  ];
}

function readObject(config: pulumi.Config, key: string, problems: Problem[]): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch (error) {
    problems.push({ path: key, message: `is not valid YAML/JSON: ${(error as Error).message}` });
    return undefined;
  }
}

export function loadConfig(): AppConfig {
  const config = new pulumi.Config(PROJECT);
  // Before anything is read: a misspelt key would otherwise be ignored and its defaults used.
  const problems: Problem[] = unknownKeyProblems(Object.keys(pulumi.runtime.allConfig()));
  const raw: Record<string, unknown> = { region: new pulumi.Config("aws").get("region") };
  for (const [key, kind] of Object.entries(CONFIG_KEYS) as [ConfigKey, string][]) {
    if (kind === "string") raw[key] = config.get(key);
    if (kind === "object") raw[key] = readObject(config, key, problems);
  }
  problems.push(
    ...defaultProviderProblems(new pulumi.Config("pulumi").getObject<string[]>("disable-default-providers")),
  );
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = parseConfig(raw);
  // A relative chart directory is relative to where the program runs (the project directory).
  if (parsed.charts.directory) parsed.charts.directory = path.resolve(parsed.charts.directory);

  const stack = pulumi.getStack();
  return {
    ...parsed,
    project: pulumi.getProject(),
    stack,
    clusterName: parsed.cluster.name ?? `${PROJECT}-${stack}`,
    gpu: gpuEnabled(parsed),
    alertWebhookUrl: config.getSecret("alertWebhookUrl" satisfies ConfigKey),
  };
}

export function gpuEnabled(config: RootConfig): boolean {
  return config.cluster.mode === "eks" || config.cluster.gpu;
}
