// `npm run canary -- --stack dev --service objectDetector --to v2` promotes a version step by step on
// its metrics, or rolls back (see canary/). Ctrl-C stops after the current operation with the stack
// file and the cluster in agreement, and says how to resume or roll back.
import * as path from "path";
import { argument, hasFlag as has, optionalArgument as optional } from "../cli/args";
import { ROOT } from "../cli/project";
import { promote } from "../canary/promote";
import { summaryTable, writeReport } from "../canary/report";
import { CANARY_FLAGS, canaryOverrides } from "../canary/request";

const stack = argument("stack", "");
const service = argument("service", "");
if (!stack || !service || (!has("rollback") && !optional("to"))) {
  console.error(
    "usage: npm run canary -- --stack <stack> --service <service> --to <version>\n" +
      `         [--from <version>] ${CANARY_FLAGS.map((f) => `[--${f.flag} <${f.kind}>]`).join(" ")}\n` +
      "         [--prometheus <url>] [--org <org>]\n" +
      "       npm run canary -- --stack <stack> --service <service> --rollback",
  );
  process.exit(2);
}

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  console.error("\nstopping after the current operation (Ctrl-C again to quit at once)…");
  controller.abort();
});

const outDir = path.resolve(ROOT, argument("out", "out"));
async function main(): Promise<number> {
  const result = await promote({
    workDir: ROOT,
    stack,
    org: optional("org"),
    service,
    to: optional("to"),
    from: optional("from"),
    overrides: canaryOverrides(optional),
    prometheus: optional("prometheus"),
    rollback: has("rollback"),
    outDir,
    signal: controller.signal,
    // The terminal's Ctrl-C reaches the Pulumi CLI too (same process group); a second SIGINT would kill it.
    cancelUpdates: false,
  });
  console.log(`\n${summaryTable(result)}`);
  console.log(`report: ${path.relative(ROOT, writeReport(outDir, stack, service, result))}`);
  if (result.outcome === "interrupted") {
    console.log(
      `resume:   npm run canary -- --stack ${stack} --service ${service} --to ${result.to}\n` +
        `rollback: npm run canary -- --stack ${stack} --service ${service} --rollback`,
    );
  }
  return result.outcome === "promoted" || has("rollback") ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
