// `npm run plan -- --stack dev`: runs the real index.ts on a recording engine — no cloud, no
// Pulumi CLI, no credentials — and shows what `pulumi up` would create.
import * as path from "path";
import { ConfigError } from "../components/config";
import { ROOT, runProgram } from "../test/support/harness";
import { renderCanaryTable, renderTree, writePlanFiles } from "./planReport";

export interface PlanResult {
  ok: boolean;
  resourceCount: number;
}

/** Plans one stack into `outDir`; prints the tree, the canary table and where files went. */
export async function planStack(stack: string, outDir: string, stackFile?: string): Promise<PlanResult> {
  const result = await runProgram({ stack, stackFile, preview: true });
  if (result.error) {
    const text =
      result.error instanceof ConfigError ? result.error.message : (result.error.stack ?? String(result.error));
    console.error(`✗ plan of stack "${stack}" failed\n${text}`);
    return { ok: false, resourceCount: 0 };
  }
  writePlanFiles(outDir, stack, result.resources, result.outputs);
  console.log(`Plan for stack "${stack}" (offline: cloud-computed values show as "(known after deploy)")\n`);
  console.log(renderTree(result.resources));
  console.log(`\nCanary weights\n${renderCanaryTable(result.resources)}\n`);
  console.log(
    `Wrote ${path.relative(ROOT, path.join(outDir, "plan.json"))} and ${path.relative(ROOT, path.join(outDir, "manifests"))}/`,
  );
  return { ok: true, resourceCount: result.resources.length };
}

export function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

if (require.main === module) {
  const stack = argument("stack", "dev");
  const stackFile = argument("stack-file", "");
  planStack(stack, path.resolve(ROOT, argument("out", "out")), stackFile ? path.resolve(stackFile) : undefined)
    .then((result) => process.exit(result.ok ? 0 : 1))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
