// Edits Pulumi.<stack>.yaml in place, keeping its comments and layout: the file stays the single
// source of truth that a person reads and a commit records.
import * as fs from "fs";
import { parseDocument } from "yaml";

const SERVICES_KEY = "ai-mesh:services";

/** Sets values at paths under `config:` (e.g. ["ai-mesh:cluster", "context"]). */
export function setStackValues(file: string, values: [path: (string | number)[], value: unknown][]): void {
  const document = parseDocument(fs.readFileSync(file, "utf8"));
  for (const [path, value] of values) document.setIn(["config", ...path], value);
  fs.writeFileSync(file, document.toString());
}

/** Version name → weight of one service, as the stack file holds them. */
export function readWeights(file: string, service: string): Record<string, number> {
  const document = parseDocument(fs.readFileSync(file, "utf8"));
  const versions = document.getIn(["config", SERVICES_KEY, service, "versions"]) as
    { toJSON(): { name: string; weight: number }[] } | undefined;
  if (!versions) throw new Error(`${file} has no ${SERVICES_KEY} ${service}.versions`);
  return Object.fromEntries(versions.toJSON().map((v) => [v.name, v.weight]));
}

/** Writes new weights for the named versions of one service; other versions keep theirs. */
export function writeWeights(file: string, service: string, weights: Record<string, number>): void {
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
