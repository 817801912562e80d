// `npm run cost:comment -- --head out/head/cost.json [--base base/out/base/cost.json] [--stack dev]`:
// the pull-request comment (Markdown, on stdout) with the head's cost estimate and its change against
// the base branch's; a missing base file (a base that predates the estimate, or failed to plan) is said.
import * as fs from "fs";
import { runCommand, type Command } from "../cli/args";
import type { CostEstimate } from "../components/cost/estimate";
import { renderCostComment } from "../plan/costReport";

const command = {
  usage: ["npm run cost:comment -- [--head <file>] [--base <file>] [--stack <stack>]"],
  about: "Prints the pull request's cost comment (Markdown): the head's estimate and its change against the base's.",
  flags: {
    head: { type: "string", value: "file", help: "the head's cost.json (default out/cost.json)" },
    base: { type: "string", value: "file", help: "the base branch's cost.json; missing: the comment says so" },
    stack: { type: "string", value: "stack", help: "the stack the estimates are of (default dev)" },
  },
} satisfies Command;

const read = (file: string | undefined): CostEstimate | undefined =>
  file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as CostEstimate) : undefined;

runCommand(command, async (flags) => {
  const headFile = flags.head ?? "out/cost.json";
  const head = read(headFile);
  if (!head) {
    console.error(`no cost estimate at ${headFile} (npm run plan writes it)`);
    return 1;
  }
  process.stdout.write(renderCostComment(flags.stack ?? "dev", head, read(flags.base)));
  return 0;
});
