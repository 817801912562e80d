// What a person reads at the end of a promotion, and the JSON report kept under out/canary/.
import * as fs from "fs";
import * as path from "path";
import { formatTable } from "../cli/table";
import type { PromoteResult } from "./promote";
import { describeWeights } from "./steps";
import { percent } from "./verdict";

const ms = (value: number | null) => (value === null ? "–" : String(Math.round(value)));

export function summaryTable(result: PromoteResult): string {
  const rows = [["step", `${result.to} %`, "requests", "success", `${result.from} success`, "p99 ms", "verdict"]];
  for (const check of result.checks) {
    rows.push([
      String(check.step),
      String(check.weights[result.to]),
      String(Math.round(check.target.requests)),
      percent(check.target.successRate),
      check.stable ? percent(check.stable.successRate) : "–",
      ms(check.target.p99Ms),
      `${check.outcome} → ${check.next}`,
    ]);
  }
  const headline = {
    promoted: `✓ ${result.to} promoted: ${describeWeights(result.weights)}`,
    "rolled-back": `✗ ${result.to} rolled back: ${describeWeights(result.weights)} (${result.reason})`,
    interrupted: `■ interrupted at ${describeWeights(result.weights)}${result.reason ? ` (${result.reason})` : ""}; the stack file and the cluster agree`,
  }[result.outcome];
  return `${rows.length > 1 ? `${formatTable(rows)}\n` : ""}${headline}`;
}

/**
 * What the command prints at the end: the table and headline, where the report is and, for a run
 * that was interrupted, how to resume it or roll it back.
 */
export function closingLines(result: PromoteResult, run: { stack: string; service: string; report: string }): string[] {
  const lines = ["", summaryTable(result), `report: ${run.report}`];
  if (result.outcome === "interrupted") {
    const again = `npm run canary -- --stack ${run.stack} --service ${run.service}`;
    lines.push(`resume:   ${again} --to ${result.to}`, `rollback: ${again} --rollback`);
  }
  return lines;
}

export function writeReport(outDir: string, stack: string, service: string, result: PromoteResult): string {
  const dir = path.join(outDir, "canary");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stack}-${service}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ stack, service, ...result }, null, 2) + "\n");
  return file;
}
