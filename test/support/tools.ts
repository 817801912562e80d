// The real tools some suites run (promtool, helm, the packaged charts of ../shared/tools). Without
// them those suites skip, unless REQUIRE_TOOLS=1 (as .ci/run sets it), which makes a missing tool fail.
import { spawnSync } from "child_process";
import * as fs from "fs";

/** Whether `command` can be started (it is on PATH and executable). */
export function onPath(command: string): boolean {
  return spawnSync(command, ["--help"], { stdio: "ignore" }).error === undefined;
}

export const REQUIRE_TOOLS = process.env.REQUIRE_TOOLS === "1";

/** `describe` when every tool is there; otherwise skipped, or failed under REQUIRE_TOOLS=1. */
export function describeWithTools(
  tools: ("promtool" | "prometheus" | "helm" | "charts")[],
  title: string,
  body: () => void,
): void {
  const missing = tools.filter((tool) =>
    tool === "charts" ? !process.env.AI_MESH_CHARTS || !fs.existsSync(process.env.AI_MESH_CHARTS) : !onPath(tool),
  );
  if (missing.length === 0) return describe(title, body);
  if (REQUIRE_TOOLS) {
    return describe(title, () =>
      it("has its tools", () => {
        throw new Error(`missing ${missing.join(", ")} (eval "$(../shared/tools/setup.sh)")`);
      }),
    );
  }
  // A skip is said out loud: a green run without the tools proves less than one with them.
  process.stderr.write(`\n!!! SKIPPED: ${title} (needs ${missing.join(", ")}; REQUIRE_TOOLS=1 makes this fail)\n`);
  describe.skip(`${title} (needs ${missing.join(", ")})`, body);
}

/** Runs a command for its stdout; on failure the error carries all its output, for a readable failure. */
export function runOrExplain(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}
