// `npm run validate:manifests`: every Kubernetes object of every committed stack against its schema.
// `-- --file objects.yaml` validates the documents of one YAML file instead.
import * as fs from "fs";
import { parseAllDocuments } from "yaml";
import { runCommand, type Command } from "../cli/args";
import { committedStacks } from "../cli/project";
import { deploy } from "../plan/engine";
import { kubernetesObjects } from "../plan/query";
import { reveal } from "../plan/recorder";
import { validateObjects, type KubernetesObject, type SchemaReport } from "../plan/manifestSchemas";

function print(label: string, report: SchemaReport): boolean {
  console.log(`${label}: ${report.valid} object(s) valid, ${report.invalid.length} invalid`);
  for (const { object, error } of report.invalid) console.log(`  ✗ ${object}: ${error}`);
  if (report.uncovered.length > 0) console.log(`  no schema for: ${report.uncovered.join(", ")}`);
  return report.invalid.length === 0;
}

const command = {
  usage: ["npm run validate:manifests -- [--file <objects.yaml>]"],
  about: "Validates every Kubernetes object of every committed stack (or of one YAML file) against its schema.",
  flags: { file: { type: "string", value: "objects.yaml", help: "validate the documents of this file instead" } },
} satisfies Command;

async function main(file: string | undefined): Promise<boolean> {
  if (file !== undefined) {
    const objects = parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as KubernetesObject);
    return print(file, await validateObjects(objects));
  }
  let ok = true;
  for (const stack of committedStacks()) {
    // A deploy-mode run: every value realistic, nothing left unknown to slip past a schema.
    const run = await deploy({ stack });
    const objects = kubernetesObjects(run.resources).map((r) => reveal(r.inputs) as KubernetesObject);
    ok = print(`stack ${stack}`, await validateObjects(objects)) && ok;
  }
  return ok;
}

runCommand(command, async (flags) => ((await main(flags.file)) ? 0 : 1));
