// Pulumi.<stack>.yaml, read and edited with one YAML library (yaml): read as plain config values
// (secrets masked, a key set twice a config error naming file and line), edited in place keeping
// its comments and layout, so the file stays what a person reads and a commit records.
import * as fs from "fs";
import * as path from "path";
import { parseDocument, type YAMLError } from "yaml";
import { PROJECT } from "../components/config";
import { ConfigError, type Problem } from "../components/core/problems";
import type { Weights } from "../components/core/weights";
import { ROOT } from "./project";

/** Stack config as the file holds it, keyed "namespace:key" ("ai-mesh:services", "aws:region"). */
export type ConfigValues = Record<string, unknown>;

export interface StackFile {
  config: ConfigValues;
  secretKeys: string[];
}

/** The key the services sit under. */
const SERVICES_KEY = `${PROJECT}:services`;

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
function yamlProblem(file: string, text: string, error: YAMLError): Problem {
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

/** Sets values at paths under `config:` (e.g. ["ai-mesh:cluster", "context"]). */
export function setStackValues(file: string, values: [path: (string | number)[], value: unknown][]): void {
  const document = parseDocument(fs.readFileSync(file, "utf8"));
  for (const [at, value] of values) document.setIn(["config", ...at], value);
  fs.writeFileSync(file, document.toString());
}

/** Version name → weight of one service, as the stack file holds them. */
export function readWeights(file: string, service: string): Weights {
  const document = parseDocument(fs.readFileSync(file, "utf8"));
  const versions = document.getIn(["config", SERVICES_KEY, service, "versions"]) as
    { toJSON(): { name: string; weight: number }[] } | undefined;
  if (!versions) throw new Error(`${file} has no ${SERVICES_KEY} ${service}.versions`);
  return Object.fromEntries(versions.toJSON().map((v) => [v.name, v.weight]));
}

/** Writes new weights for the named versions of one service; other versions keep theirs. */
export function writeWeights(file: string, service: string, weights: Weights): void {
  const current = readWeights(file, service);
  const names = Object.keys(current);
  setStackValues(
    file,
    Object.entries(weights).map(([version, weight]) => {
      const index = names.indexOf(version);
      if (index < 0) throw new Error(`${service} has no version ${version}; declared: ${names.join(", ")}`);
      return [[SERVICES_KEY, service, "versions", index, "weight"], weight];
    }),
  );
}
