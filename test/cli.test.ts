import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, readFlags, type Command } from "../cli/args";
import { stackOfFile } from "../cli/project";
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

describe("the nearest known word", () => {
  it("suggests a key a slip away, and nothing for a word far from every key", () => {
    const keys = ["environment", "observability", "cluster", "services"];
    expect(nearest("obserbability", keys)).toBe("observability");
    expect(nearest("enviroment", keys)).toBe("environment");
    expect(nearest("Cluster", keys)).toBe("cluster");
    expect(nearest("tracing", keys)).toBeUndefined();
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
