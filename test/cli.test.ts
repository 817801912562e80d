import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, readFlags, type Command } from "../cli/args";
import { ROOT, stackOfFile } from "../cli/project";
import { readStackFile } from "../cli/stackFile";
import { ConfigError } from "../components/core/problems";
import { nearest } from "../components/core/nearest";

const command = {
  usage: ["demo -- --stack <stack> [--rollback]"],
  about: "A command for the tests.",
  flags: {
    stack: { type: "string", value: "stack", help: "the stack" },
    rollback: { type: "boolean", help: "roll back" },
  },
} satisfies Command;

describe("flags, parsed by util.parseArgs in strict mode", () => {
  const refusal = (args: string[]) => {
    try {
      readFlags(command, args);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`${args.join(" ")} was accepted`);
  };

  it("takes --flag value and --flag=value alike", () => {
    expect(readFlags(command, ["--stack", "local"])).toEqual({ help: false, values: { stack: "local" } });
    expect(readFlags(command, ["--stack=local", "--rollback"])).toEqual({
      help: false,
      values: { stack: "local", rollback: true },
    });
  });

  it("answers --help and -h, even beside a mistake", () => {
    expect(readFlags(command, ["--help"])).toEqual({ help: true });
    expect(readFlags(command, ["-h"])).toEqual({ help: true });
    expect(readFlags(command, ["--stak", "dev", "--help"])).toEqual({ help: true });
  });

  it("refuses what it does not understand, naming it", () => {
    expect(refusal(["--stak", "local"])).toBe("unknown flag --stak (did you mean --stack?)");
    expect(refusal(["--verbose"])).toBe("unknown flag --verbose");
    expect(refusal(["--stack"])).toBe("--stack needs a value");
    expect(refusal(["--stack", "--rollback"])).toBe(
      "--stack needs a value (to give one that starts with a dash, write --stack=-value)",
    );
    expect(refusal(["--rollback=yes"])).toBe("--rollback takes no value");
    expect(refusal(["local"])).toBe('unexpected argument "local" (flags are --name value)');
  });

  it("names a stack file's stack after the file", () => {
    expect(stackOfFile("/tmp/x/Pulumi.typo.yaml")).toBe("typo");
    expect(stackOfFile("/tmp/x/stack.yaml")).toBeUndefined();
  });
});

describe("npm run e2e's flags", () => {
  // As package.json runs it, with no cluster tools on PATH: --help must not start a run.
  const e2e = (...args: string[]) =>
    spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["test/e2e/run.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: path.dirname(process.execPath), HOME: os.tmpdir() },
      timeout: 60_000,
    });
  const usage =
    "usage: npm run e2e\n\n" +
    "The real program on the real Pulumi engine against the cluster KUBECONFIG points at, on a throw-away\n" +
    "stack: up, a no-op second up, a canary promotion, destroy. Needs the Pulumi CLI and kubectl.\n\n" +
    "  --help  show this help";

  it("prints its usage for --help (exit 0) and refuses a flag it does not know (exit 2)", () => {
    const help = e2e("--help");
    expect([help.status, help.stdout.trimEnd(), help.stderr]).toEqual([0, usage, ""]);
    const unknown = e2e("--stack", "dev");
    expect([unknown.status, unknown.stdout, unknown.stderr.trimEnd()]).toEqual([
      2,
      "",
      `✗ unknown flag --stack\n\n${usage}`,
    ]);
  }, 60_000);
});

describe("the nearest known word", () => {
  const refusal = (args: string[]) => {
    try {
      readFlags(command, args);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${args.join(" ")} was accepted`);
  };

  it("suggests a key a slip away, and nothing for a word far from every key", () => {
    const keys = ["environment", "observability", "cluster", "services"];
    expect(nearest("obserbability", keys)).toBe("observability");
    expect(nearest("enviroment", keys)).toBe("environment");
    expect(nearest("Cluster", keys)).toBe("cluster");
    expect(nearest("tracing", keys)).toBeUndefined();
  });

  it("counts two neighbours swapped as one slip", () => {
    expect(nearest("stakc", ["stack", "out"])).toBe("stack");
    expect(nearest("prot", ["port", "out"])).toBe("port");
    expect(refusal(["--stakc", "dev"])).toBe("unknown flag --stakc (did you mean --stack?)");
    expect(refusal(["--rollbakc"])).toBe("unknown flag --rollbakc (did you mean --rollback?)");
  });
});

describe("a key set twice in a stack file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-stackfile-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const problems = (text: string): string[] => {
    const file = path.join(dir, "Pulumi.twice.yaml");
    fs.writeFileSync(file, text);
    try {
      readStackFile("twice", file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
    return [];
  };
  const once = "; a key may appear once in a mapping (which one did you mean?)";

  it("names the whole key and the mapping it is in: aws:region under config", () => {
    expect(problems("config:\n  aws:region: us-west-2\n  ai-mesh:environment: dev\n  aws:region: us-east-1\n")).toEqual(
      [`Pulumi.twice.yaml line 4: key "aws:region" appears twice under "config"${once}`],
    );
  });

  it("shows a quoted key without its quotes", () => {
    expect(problems('config:\n  aws:region: us-west-2\n  "aws:region": us-east-1\n')).toEqual([
      `Pulumi.twice.yaml line 3: key "aws:region" appears twice under "config"${once}`,
    ]);
  });

  it("names the config key a nested duplicate is under, as pulumi config set --path spells it", () => {
    const text = [
      "config:",
      "  ai-mesh:cluster:",
      "    mode: eks",
      "    gpuNodes: { maxGpus: 4, maxGpus: 8 }",
      "    mode: existing",
      "  ai-mesh:services:",
      "    web:",
      "      versions:",
      "        - { name: v1, weight: 100, weight: 90 }",
      "",
    ].join("\n");
    expect(problems(text)).toEqual([
      `Pulumi.twice.yaml line 4: key "maxGpus" appears twice under "ai-mesh:cluster.gpuNodes"${once}`,
      `Pulumi.twice.yaml line 5: key "mode" appears twice under "ai-mesh:cluster"${once}`,
      `Pulumi.twice.yaml line 9: key "weight" appears twice under "ai-mesh:services.web.versions[0]"${once}`,
    ]);
  });

  it("reads a stack file whose keys are each set once", () => {
    expect(problems("config:\n  aws:region: us-west-2\n  ai-mesh:cluster: { mode: eks }\n")).toEqual([]);
  });
});

describe("every entry point's command line", () => {
  const root = path.join(__dirname, "..");
  /** How package.json runs each of them. */
  const commands: Record<string, string[]> = {
    "plan:all": ["scripts/run.cjs", "scripts/planAll.ts"],
    charts: ["scripts/run.cjs", "scripts/packageCharts.ts"],
    "cost:comment": ["scripts/run.cjs", "scripts/costComment.ts"],
    "validate:manifests": [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/validateManifests.ts"],
    "bench:plan": ["scripts/benchmarks/planSpeed.cjs"],
    "bench:plan:scale": ["scripts/benchmarks/planScale.cjs"],
  };
  const run = (name: string, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...commands[name], ...args], { cwd: root });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });

  it("prints its usage for --help (exit 0) and refuses an unknown flag with it (exit 2), doing nothing else", async () => {
    const names = Object.keys(commands);
    const helps = await Promise.all(names.map((name) => run(name, "--help")));
    const typos = await Promise.all(names.map((name) => run(name, "--bogus")));
    names.forEach((name, i) => {
      expect([name, helps[i].status, helps[i].stderr]).toEqual([name, 0, ""]);
      expect(helps[i].stdout).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
      expect([name, typos[i].status, typos[i].stdout]).toEqual([name, 2, ""]);
    });
    const refusals = typos.map((typo) => typo.stderr.split("\n")[0]);
    expect(refusals).toEqual(names.map(() => "✗ unknown flag --bogus"));
    typos.forEach((typo, i) => expect(typo.stderr).toContain(`\n\n${helps[i].stdout.trimEnd()}`));
  }, 60_000);
});
