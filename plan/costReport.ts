// The cost estimate as the plan prints it, and as the pull-request comment shows it against the base
// branch's estimate (Markdown).
import type { CostEstimate, CostLine } from "../components/cost/estimate";
import { formatTable } from "../cli/table";

/** The first line of the pull-request comment: how the workflow finds its own comment to edit. */
export const COST_COMMENT_MARKER = "<!-- ai-mesh-cost -->";

const usd = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = (n: number | null) => (n === null ? "not priced" : usd(n));

/** Where the prices come from, and whether they are the stack's region's. */
export function pricesNote(estimate: CostEstimate): string {
  const { region, date } = estimate.prices;
  const from = `${region} on-demand list prices (components/cost/prices.ts, ${date})`;
  if (!estimate.region || estimate.region === region) return from;
  return `${from}; the stack is in ${estimate.region}, which the table does not hold: ${region} prices stand in`;
}

function idleLines(estimate: CostEstimate): string[] {
  return estimate.idleGpus.map(
    (idle) =>
      `${idle.service} ${idle.version} has weight 0 % and holds ${idle.gpus} GPU${idle.gpus === 1 ? "" : "s"} at minimum replicas` +
      `${idle.mirrorPercent ? ` (mirror target: it serves a ${idle.mirrorPercent} % copy, answers discarded)` : ""}` +
      `: ${idle.monthly === null ? "not priced" : `$${usd(idle.monthly)} a month`}`,
  );
}

/** The table `npm run plan` prints. */
export function renderCostTable(estimate: CostEstimate): string {
  const lines = [`Prices: ${pricesNote(estimate)}.`];
  if (estimate.note) lines.push(estimate.note);
  if (estimate.lines.length > 0) {
    const rows = [["item", "at min replicas", "$/month", "at max replicas", "$/month"]];
    for (const l of estimate.lines) rows.push([l.item, l.min, money(l.monthlyMin), l.max, money(l.monthlyMax)]);
    rows.push(["total (priced items)", "", usd(estimate.total.min), "", usd(estimate.total.max)]);
    lines.push(formatTable(rows));
  }
  for (const idle of idleLines(estimate)) lines.push(`  ! ${idle}`);
  lines.push(`  not priced: ${estimate.notPriced.join("; ")}`);
  return lines.join("\n");
}

function change(head: number | null, base: number | null | undefined): string {
  if (base === undefined) return "new";
  if (head === null || base === null) return "—";
  const delta = Math.round((head - base) * 100) / 100;
  return delta === 0 ? "0" : `${delta > 0 ? "+" : "−"}${usd(Math.abs(delta))}`;
}

/** The pull-request comment: each line and the total at min and max, with its change against the base. */
export function renderCostComment(stack: string, head: CostEstimate, base: CostEstimate | undefined): string {
  const baseLine = new Map<string, CostLine>((base?.lines ?? []).map((l) => [l.item, l]));
  const out = [
    COST_COMMENT_MARKER,
    `### Estimated monthly cost of stack \`${stack}\` (on-demand, USD)`,
    "",
    base ? "Change against the base branch's estimate." : "The base branch has no estimate to compare with.",
    "",
    "| item | at min replicas | $/month | change | at max replicas | $/month | change |",
    "| --- | --- | ---: | ---: | --- | ---: | ---: |",
  ];
  const cmp = (value: number | null, old: CostLine | undefined, key: "monthlyMin" | "monthlyMax") =>
    base ? change(value, old?.[key]) : "";
  for (const l of head.lines) {
    const old = baseLine.get(l.item);
    out.push(
      `| ${l.item} | ${l.min} | ${money(l.monthlyMin)} | ${cmp(l.monthlyMin, old, "monthlyMin")} | ${l.max} | ${money(l.monthlyMax)} | ${cmp(l.monthlyMax, old, "monthlyMax")} |`,
    );
  }
  for (const l of base?.lines ?? []) {
    if (!head.lines.some((h) => h.item === l.item)) out.push(`| ${l.item} | removed | | | removed | | |`);
  }
  const totalChange = (key: "min" | "max") => (base ? `**${change(head.total[key], base.total[key])}**` : "");
  out.push(
    `| **total** | | **${usd(head.total.min)}** | ${totalChange("min")} | | **${usd(head.total.max)}** | ${totalChange("max")} |`,
    "",
  );
  for (const idle of idleLines(head)) out.push(`> [!WARNING]\n> ${idle}\n`);
  out.push(`Prices: ${pricesNote(head)}. Not priced: ${head.notPriced.join("; ")}.`, "");
  return out.join("\n");
}
