// `npm run cost:comment -- --head out/head/cost.json [--base base/out/base/cost.json] [--stack dev]`:
// the pull-request comment (Markdown, on stdout) with the head's cost estimate and its change against
// the base branch's; a missing base file (a base that predates the estimate, or failed to plan) is said.
import * as fs from "fs";
import { argument } from "../cli/args";
import type { CostEstimate } from "../components/cost/estimate";
import { renderCostComment } from "../plan/costReport";

const read = (file: string): CostEstimate | undefined =>
  file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as CostEstimate) : undefined;

const head = read(argument("head", "out/cost.json"));
if (!head) {
  console.error(`no cost estimate at ${argument("head", "out/cost.json")} (npm run plan writes it)`);
  process.exit(1);
}
process.stdout.write(renderCostComment(argument("stack", "dev"), head, read(argument("base", ""))));
