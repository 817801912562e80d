// The compliance table `npm run plan` prints: every finding with its policy, level and resource.
import type { PolicyReport } from "./policyEngine";
import { formatTable } from "../cli/table";

function shortName(resource: string): string {
  return resource === "stack" ? "(stack)" : resource.split("::").pop()!;
}

/** Names as a list wrapped at `width` columns, continuation lines indented. */
function wrapped(prefix: string, names: string[], width = 110): string {
  const lines = [prefix];
  for (const name of names) {
    const last = lines.length - 1;
    const joined = `${lines[last]}${lines[last].endsWith(": ") ? "" : ", "}${name}`;
    if (joined.length <= width || lines[last].endsWith(": ")) lines[last] = joined;
    else {
      lines[last] += ",";
      lines.push(`  ${name}`);
    }
  }
  return lines.join("\n");
}

/** The findings, a summary, and the policies that found nothing (so a passing check is seen to run). */
export function renderCompliance(report: PolicyReport, policyNames: string[]): string {
  const policyCount = policyNames.length;
  const found = new Set([...report.violations, ...report.skipped].map((v) => v.policy));
  const passed = policyNames.filter((name) => !found.has(name));
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
  const passing = wrapped(`passed (${passed.length}): `, passed);
  return rows.length > 1 ? `${formatTable(rows)}\n${summary}\n${passing}` : `${summary}\n${passing}`;
}
