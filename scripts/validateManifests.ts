// `npm run validate:manifests`: every Kubernetes object of every committed stack against its schema.
// `-- --file objects.yaml` validates the documents of one YAML file instead.
import * as fs from "fs";
import { parseAllDocuments } from "yaml";
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

async function main(): Promise<boolean> {
  const fileIndex = process.argv.indexOf("--file");
  if (fileIndex >= 0) {
    const file = process.argv[fileIndex + 1];
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

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
