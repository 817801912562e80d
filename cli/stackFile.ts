// Pulumi.<stack>.yaml, read and edited with one YAML library (yaml): read as plain config values
// (secrets masked, a key set twice a config error naming file and line), edited in place keeping
// its comments and layout, so the file stays what a person reads and a commit records.
import * as fs from "fs";
import * as path from "path";
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { PROJECT } from "../components/config";
import { ConfigError, type Problem } from "../components/core/problems";
import type { Weights } from "../components/core/weights";
import { stackFilePath } from "./project";

/** Stack config as the file holds it, keyed "namespace:key" ("ai-mesh:services", "aws:region"). */
export type ConfigValues = Record<string, unknown>;

export interface StackFile {
  config: ConfigValues;
  secretKeys: string[];
}

/** The key the services sit under. */
const SERVICES_KEY = `${PROJECT}:services`;

/** A key path as `pulumi config set --path` spells it: ai-mesh:cluster.gpuNodes, …versions[0]. */
function keyPath(keys: (string | number)[]): string {
  return keys.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

/**
 * Every key a mapping of the file sets twice, with its whole name and the path of the mapping it is
 * in (read from the syntax tree, so quotes and flow style change nothing).
 */
function duplicateKeys(file: string, node: unknown, lines: LineCounter, at: (string | number)[] = []): Problem[] {
  if (isSeq(node)) return node.items.flatMap((item, i) => duplicateKeys(file, item, lines, [...at, i]));
  if (!isMap(node)) return [];
  const seen = new Set<string>();
  return node.items.flatMap((pair) => {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const inner = duplicateKeys(file, pair.value, lines, [...at, key]);
    if (!seen.has(key)) {
      seen.add(key);
      return inner;
    }
    const line = lines.linePos((pair.key as { range?: number[] } | null)?.range?.[0] ?? 0).line;
    // Under config: the config key's own path (ai-mesh:cluster.gpuNodes), as Pulumi names it.
    const mapping = at[0] === "config" && at.length > 1 ? at.slice(1) : at;
    const where = at.length === 0 ? "at the top of the file" : `under "${keyPath(mapping)}"`;
    const problem = {
      path: `${path.basename(file)} line ${line}`,
      message: `key "${key}" appears twice ${where}; a key may appear once in a mapping (which one did you mean?)`,
    };
    return [problem, ...inner];
  });
}

/** Reads Pulumi.<stack>.yaml. Encrypted (`secure:`) values cannot be read offline; they become "[secret]". */
export function readStackFile(stack: string, file = stackFilePath(stack)): StackFile {
  const lines = new LineCounter();
  // Duplicates are found in the tree below, where each one's whole key and mapping are known.
  const parsed = parseDocument(fs.readFileSync(file, "utf8"), {
    prettyErrors: true,
    uniqueKeys: false,
    lineCounter: lines,
  });
  const problems = parsed.errors.map((error) => ({
    path: `${path.basename(file)} line ${error.linePos?.[0].line ?? 0}`,
    message: error.message.split("\n")[0],
  }));
  problems.push(...duplicateKeys(file, parsed.contents, lines));
  if (problems.length > 0) throw new ConfigError(problems);
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
