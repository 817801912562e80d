// Plans every committed stack (Pulumi.<stack>.yaml) into out/stacks/<stack>; fails if any fails.
import * as path from "path";
import { runCommand, type Command } from "../cli/args";
import { ROOT, committedStacks } from "../cli/project";
import { planStack } from "../plan/planStack";

const command = {
  usage: ["npm run plan:all"],
  about: "Plans every committed stack (Pulumi.<stack>.yaml) into out/stacks/<stack>; exits 1 if any plan fails.",
  flags: {},
} satisfies Command;

runCommand(command, async () => {
  const stacks = committedStacks();
  const failed: string[] = [];
  for (const stack of stacks) {
    if (!(await planStack(stack, path.join(ROOT, "out", "stacks", stack)))) failed.push(stack);
    console.log("");
  }
  console.log(
    `Planned ${stacks.length} stack(s): ${stacks.join(", ")}${failed.length ? `; failed: ${failed.join(", ")}` : ""}`,
  );
  return failed.length === 0 ? 0 : 1;
});
