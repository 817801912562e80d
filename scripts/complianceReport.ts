// The compliance table `npm run plan` prints: every finding with its policy, level and resource.
import type { PolicyReport } from "../test/support/policyEngine";

function shortName(resource: string): string {
  return resource === "stack" ? "(stack)" : resource.split("::").pop()!;
}

export function renderCompliance(report: PolicyReport, policyCount: number): string {
  const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
  const advisory = report.violations.length - mandatory;
  const rows = [["level", "policy", "resource", "message"]];
  const sorted = [...report.violations].sort(
    (a, b) => a.level.localeCompare(b.level) || a.policy.localeCompare(b.policy),
  );
  for (const v of [...sorted, ...report.skipped]) {
    rows.push([report.skipped.includes(v) ? "skipped" : v.level, v.policy, shortName(v.resource), v.message]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows
    .map((r) => [...r.slice(0, 3).map((cell, c) => cell.padEnd(widths[c])), r[3]].join("  "))
    .join("\n");
  const summary = `${policyCount} policies: ${mandatory} mandatory violation(s), ${advisory} advisory, ${report.skipped.length} skipped (unknown until deploy)`;
  return rows.length > 1 ? `${table}\n${summary}` : summary;
}
