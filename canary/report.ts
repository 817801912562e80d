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
    interrupted: `■ interrupted at ${describeWeights(result.weights)}; the stack file and the cluster agree`,
  }[result.outcome];
  return `${rows.length > 1 ? `${formatTable(rows)}\n` : ""}${headline}`;
}

export function writeReport(outDir: string, stack: string, service: string, result: PromoteResult): string {
  const dir = path.join(outDir, "canary");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stack}-${service}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ stack, service, ...result }, null, 2) + "\n");
  return file;
}
