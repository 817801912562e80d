// `npm run canary -- --stack dev --service objectDetector --to v2` promotes a version step by step on
// its metrics, or rolls back (see canary/). Ctrl-C stops after the current operation with the stack
// file and the cluster in agreement, and says how to resume or roll back.
import * as path from "path";
import { UsageError, runCommand, type Command, type Flag } from "../cli/args";
import { ROOT } from "../cli/project";
import { CANARY_FLAGS, canaryOverrides } from "../canary/request";

const command = {
  usage: [
    "npm run canary -- --stack <stack> --service <service> --to <version> [--from <version>]",
    `    ${CANARY_FLAGS.slice(0, 3)
      .map((f) => `[--${f.flag} <${f.kind}>]`)
      .join(" ")}`,
    `    ${CANARY_FLAGS.slice(3)
      .map((f) => `[--${f.flag} <${f.kind}>]`)
      .join(" ")}`,
    "    [--prometheus <url>] [--org <org>] [--out <dir>]",
    "npm run canary -- --stack <stack> --service <service> --rollback",
  ],
  about:
    "Promotes a version of a service step by step on its metrics (each step written to Pulumi.<stack>.yaml\n" +
    "and applied with the Automation API), or rolls back; Ctrl-C stops with the stack file and the cluster agreeing.",
  flags: {
    stack: { type: "string", value: "stack", help: "the stack: Pulumi.<stack>.yaml" },
    service: { type: "string", value: "service", help: "the service's config key, e.g. objectDetector" },
    to: { type: "string", value: "version", help: "the version to promote" },
    from: { type: "string", value: "version", help: "the version to take weight from (default the heaviest other)" },
    ...Object.fromEntries(
      CANARY_FLAGS.map((f): [string, Flag] => [
        f.flag,
        { type: "string", value: f.kind, help: `overrides the service's canary.${f.setting}` },
      ]),
    ),
    prometheus: { type: "string", value: "url", help: "Prometheus base URL (default the stack's, through kubectl)" },
    org: { type: "string", value: "org", help: "backend organization: the stack is <org>/ai-mesh/<stack>" },
    out: { type: "string", value: "dir", help: "where reports and the resume state go (default out)" },
    rollback: { type: "boolean", help: "restore the weights the promotion under way started from" },
  },
} satisfies Command;

runCommand(
  command,
  async (flags) => {
    const { stack, service } = flags;
    if (!stack || !service) throw new UsageError(`${!stack ? "--stack" : "--service"} is required (see --help)`);
    if (!flags.rollback && !flags.to) throw new UsageError("--to <version> or --rollback is required (see --help)");
    if (flags.rollback && flags.to) throw new UsageError(`--rollback and --to ${flags.to}: give one of them`);

    // Loaded only now: --help and a refused flag answer without loading the Automation API.
    const { promote } = await import("../canary/promote");
    const { closingLines, writeReport } = await import("../canary/report");
    const controller = new AbortController();
    process.on("SIGINT", () => {
      if (controller.signal.aborted) process.exit(130);
      console.error("\nstopping after the current operation (Ctrl-C again to quit at once)…");
      controller.abort();
    });
    const outDir = path.resolve(ROOT, flags.out ?? "out");
    const result = await promote({
      workDir: ROOT,
      stack,
      org: flags.org,
      service,
      to: flags.to,
      from: flags.from,
      overrides: canaryOverrides((flag) => (flags as Record<string, string | undefined>)[flag]),
      prometheus: flags.prometheus,
      rollback: flags.rollback,
      outDir,
      signal: controller.signal,
      // The terminal's Ctrl-C reaches the Pulumi CLI too (same process group); a second SIGINT would kill it.
      cancelUpdates: false,
    });
    const report = path.relative(ROOT, writeReport(outDir, stack, service, result));
    console.log(closingLines(result, { stack, service, report }).join("\n"));
    return result.outcome === "promoted" || (flags.rollback && result.outcome === "rolled-back") ? 0 : 1;
  },
  (error) => console.error(`✗ ${error instanceof Error ? error.message : String(error)}`),
);
