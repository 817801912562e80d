// Runs the real index.ts against the mock cloud with a committed stack file (plus per-test
// overrides) and returns everything it registered. Shared by the jest suites and `npm run plan`.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseDocument, type YAMLError } from "yaml";
import { ConfigError, PROJECT } from "../components/config";
import { cloudMocks } from "./mocks";
import { recordRegistrations, type RecordedResource } from "./recorder";

/** The project directory: the nearest one up with Pulumi.yaml (this file may run from a bundle). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

export const ROOT = projectRoot(__dirname);
export const STACK_TYPE = "pulumi:pulumi:Stack";

export type ConfigValues = Record<string, unknown>;

export interface StackFile {
  config: ConfigValues;
  secretKeys: string[];
}

/** Every committed stack, by the names in Pulumi.<stack>.yaml. */
export function committedStacks(): string[] {
  return fs
    .readdirSync(ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The mapping key above a line: the nearest line before it indented less (block-style YAML). */
function parentKey(lines: string[], line: number): string | undefined {
  const indent = (text: string) => text.length - text.trimStart().length;
  const own = indent(lines[line - 1]);
  for (let i = line - 2; i >= 0; i--) {
    const match = /^(\s*)([^\s#][^:]*):\s*$/.exec(lines[i]);
    if (match && match[1].length < own) return match[2].trim();
  }
  return undefined;
}

/** A YAML error as a config problem: the file, the line and, for a duplicate, the key. */
function yamlProblem(file: string, text: string, error: YAMLError): { path: string; message: string } {
  const line = error.linePos?.[0].line ?? 0;
  const where = `${path.basename(file)} line ${line}`;
  if (error.code !== "DUPLICATE_KEY") return { path: where, message: error.message.split("\n")[0] };
  const key = text.slice(error.pos[0]).split(":")[0].trim();
  const parent = parentKey(text.split("\n"), line);
  return {
    path: where,
    message: `key "${key}" appears twice${parent ? ` under ${parent}` : ""}; a key may appear once in a mapping (which one did you mean?)`,
  };
}

/** Reads Pulumi.<stack>.yaml. Encrypted (`secure:`) values cannot be read offline; they become "[secret]". */
export function readStackFile(stack: string, file = path.join(ROOT, `Pulumi.${stack}.yaml`)): StackFile {
  const text = fs.readFileSync(file, "utf8");
  const parsed = parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length > 0) throw new ConfigError(parsed.errors.map((error) => yamlProblem(file, text, error)));
  const document = (parsed.toJSON() ?? {}) as { config?: ConfigValues };
  const config: ConfigValues = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(document.config ?? {})) {
    const isSecure = value !== null && typeof value === "object" && "secure" in (value as object);
    config[key] = isSecure ? "[secret]" : value;
    if (isSecure) secretKeys.push(key);
  }
  return { config, secretKeys };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Deep-merges overrides into config; arrays replace, `undefined` deletes. */
export function mergeConfig(base: ConfigValues, overrides: ConfigValues): ConfigValues {
  const merged: ConfigValues = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(merged[key])) merged[key] = mergeConfig(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

export interface RunOptions {
  stack?: string;
  /** A stack file other than Pulumi.<stack>.yaml at the project root. */
  stackFile?: string;
  /** Per-key overrides deep-merged over the stack file, e.g. { "ai-mesh:cluster": { mode: "existing" } }. */
  config?: ConfigValues;
  /** Plan mode: a preview where every cloud-computed value is unknown. */
  preview?: boolean;
}

export interface RunResult {
  resources: RecordedResource[];
  /** Stack outputs as registered (unknowns as markers, secrets as RecordedSecret). */
  outputs: Record<string, unknown>;
  error?: Error;
}

type Program = () => Promise<Record<string, unknown>>;

export async function runProgram(options: RunOptions = {}): Promise<RunResult> {
  const stack = options.stack ?? "dev";
  const preview = options.preview ?? false;
  const file = readStackFile(stack, options.stackFile);
  const config = mergeConfig(file.config, options.config ?? {});

  const mocks = cloudMocks({ unknownComputed: preview });
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    file.secretKeys,
  );
  const resources = recordRegistrations(mocks);
  // Imported only now: the program must see the mocks and config installed above.
  const program: Program = (await import("../index")).default;

  // The error is caught inside the stack's init: rethrown, it would also reject the Stack
  // resource's own promise, which nobody awaits.
  let error: Error | undefined;
  // The SDK formats a stack trace for every promise it makes (a debugging aid for leaks): about
  // half of the time a plan spends registering resources. Without frames the traces cost nothing;
  // AI_MESH_STACK_TRACES=1 keeps them for debugging the program itself.
  const stackTraceLimit = Error.stackTraceLimit;
  if (!process.env.AI_MESH_STACK_TRACES) Error.stackTraceLimit = 0;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (caught) {
        error = caught as Error;
        return {};
      }
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const stackResource = resources.find((r) => r.type === STACK_TYPE);
  return { resources, outputs: stackResource?.outputs ?? {}, error };
}

/** Runs the program and fails loudly when it threw. */
export async function deploy(options: RunOptions = {}): Promise<RunResult> {
  const result = await runProgram(options);
  if (result.error) throw result.error;
  return result;
}
