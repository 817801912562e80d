// Plans one stack offline: runs the real index.ts on the recording engine, prints the tree, the canary
// table, the internet-facing addresses and the compliance report, and writes plan.json and the manifests.
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseConfig, rawConfig } from "../components/config";
import { costEstimate } from "../components/cost/estimate";
import { policies } from "../policy/policies";
import { ROOT } from "../cli/project";
import { runProgram, type RunResult } from "./engine";
import { blocking, evaluatePolicies, levelOf, loadPolicyConfig } from "./policyEngine";
import { renderCompliance } from "./complianceReport";
import { renderAddresses } from "./addresses";
import { renderCostTable } from "./costReport";
import { renderCanaryTable, renderCapacityTable, renderModelTable, writePlanFiles } from "./report";
import { renderTree } from "./tree";
import { modelWarnings } from "./modelWarnings";

/** policy/config/<stack>.json when it exists, else the dev policy config. */
export function policyConfigFor(stack: string): string {
  const own = path.join(ROOT, "policy", "config", `${stack}.json`);
  return fs.existsSync(own) ? own : path.join(ROOT, "policy", "config", "dev.json");
}

/** Plans one stack into `outDir`; prints the tree, the canary table and the compliance report. Returns success. */
export async function planStack(stack: string, outDir: string, stackFile?: string): Promise<boolean> {
  // A stack file that cannot be read (duplicate keys) is a config error too, reported the same way.
  const result: RunResult = await runProgram({ stack, stackFile, preview: true }).catch((error: Error) => ({
    resources: [],
    outputs: {},
    error,
  }));
  if (result.error) {
    const text =
      result.error instanceof ConfigError ? result.error.message : (result.error.stack ?? String(result.error));
    console.error(`✗ plan of stack "${stack}" failed\n${text}`);
    return false;
  }
  writePlanFiles(outDir, stack, result.resources, result.outputs);
  console.log(`Plan for stack "${stack}" (offline: cloud-computed values show as "(known after deploy)")\n`);
  console.log(renderTree(result.resources));
  console.log(`\nCanary weights\n${renderCanaryTable(result.resources)}\n`);
  console.log(`Internet-facing addresses (TLS, what plain HTTP gets, who may call)`);
  console.log(`${renderAddresses(result.resources)}\n`);
  console.log(`Models (LLM gateway → header X-Gateway-Model-Name → InferencePool by weight → endpoint picker)`);
  console.log(`${renderModelTable(result.resources)}\n`);
  const warnings = modelWarnings(result.resources);
  if (warnings.length > 0) console.log(`${warnings.map((w) => `⚠ ${w}`).join("\n")}\n`);
  console.log(`Capacity (pod requests at min / max replicas against what the nodes hold for pods)`);
  console.log(`${renderCapacityTable(result.outputs.capacity as Parameters<typeof renderCapacityTable>[0])}\n`);
  // The program ran, so its config parses: the estimate reads the same config the program did.
  const cost = costEstimate(parseConfig(rawConfig(result.config ?? {})));
  fs.writeFileSync(path.join(outDir, "cost.json"), JSON.stringify(cost, null, 2) + "\n");
  console.log(`Cost (estimated monthly on-demand USD at minimum and at maximum replicas)`);
  console.log(`${renderCostTable(cost)}\n`);
  console.log(
    `Wrote ${path.relative(ROOT, path.join(outDir, "plan.json"))}, ${path.relative(ROOT, path.join(outDir, "cost.json"))} and ${path.relative(ROOT, path.join(outDir, "manifests"))}/`,
  );

  const policyConfig = policyConfigFor(stack);
  const config = loadPolicyConfig(policyConfig);
  const report = evaluatePolicies(result.resources, config);
  console.log(
    `\nCompliance (policy pack, ${path.relative(ROOT, policyConfig)})\n${renderCompliance(
      report,
      policies.filter((p) => levelOf(p, config) !== "disabled").map((p) => p.name),
    )}`,
  );
  const failures = blocking(report);
  if (failures.length > 0) console.error(`✗ ${failures.length} mandatory policy violation(s) in stack "${stack}"`);
  return failures.length === 0;
}
