// The compliance table `npm run plan` prints: every finding with its policy, level and resource.
import type { PolicyReport } from "./policyEngine";
import { formatTable } from "../cli/table";

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
  const summary = `${policyCount} policies: ${mandatory} mandatory violation(s), ${advisory} advisory, ${report.skipped.length} skipped (unknown until deploy)`;
  return rows.length > 1 ? `${formatTable(rows)}\n${summary}` : summary;
}
