// `npm run plan -- --stack dev`: runs the real index.ts on a recording engine — no cloud, no
// Pulumi CLI, no credentials — and shows what `pulumi up` would create.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { UsageError, runCommand, type Command } from "../cli/args";
import { ROOT, stackFilePath, stackOfFile } from "../cli/project";

const command = {
  usage: ["npm run plan -- [--stack <stack>] [--stack-file <file>] [--out <dir>]"],
  about:
    "Runs index.ts on a recording engine (no cloud, no Pulumi CLI, no credentials) and prints the resource\n" +
    "tree, the canary, model and capacity tables and the policy report; writes plan.json and manifests/.",
  flags: {
    stack: { type: "string", value: "stack", help: "the stack to plan: Pulumi.<stack>.yaml (default dev)" },
    "stack-file": {
      type: "string",
      value: "file",
      help: "plan this stack file instead; the stack is named after it (Pulumi.<stack>.yaml)",
    },
    out: { type: "string", value: "dir", help: "where plan.json and manifests/ go (default out)" },
  },
} satisfies Command;

/** The stack and its file: --stack's Pulumi.<stack>.yaml, or --stack-file, named after itself. */
function target(flags: { stack?: string; "stack-file"?: string }): { stack: string; stackFile: string } {
  const given = flags["stack-file"];
  if (given === undefined) {
    const stack = flags.stack ?? "dev";
    return { stack, stackFile: stackFilePath(stack) };
  }
  // npm runs scripts from the project root; a relative path is the user's, from where npm was called.
  const stackFile = path.resolve(process.env.INIT_CWD ?? process.cwd(), given);
  if (!fs.existsSync(stackFile)) throw new UsageError(`--stack-file ${given}: no such file (looked for ${stackFile})`);
  const stack = flags.stack ?? stackOfFile(stackFile);
  if (!stack) {
    throw new UsageError(`--stack-file ${given}: not named Pulumi.<stack>.yaml; name its stack with --stack <stack>`);
  }
  return { stack, stackFile };
}

runCommand(command, async (flags) => {
  const { stack, stackFile } = target(flags);
  // One parse per run: compiling zod's fast path (new Function) costs more than it saves.
  z.config({ jitless: true });
  // Loaded only now: --help and a refused flag answer without loading the program and the SDKs.
  const { planStack } = await import("../plan/planStack");
  return (await planStack(stack, path.resolve(ROOT, flags.out ?? "out"), stackFile)) ? 0 : 1;
});
