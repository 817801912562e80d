// What the real Pulumi engine demands that mocks do not: required config keys, explicit providers
// for every package (default providers are disabled), and stack files left to the CLI.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT, committedStacks } from "../cli/project";
import { deploy, type RunOptions } from "../plan/engine";
import { readStackFile } from "../cli/stackFile";

interface DeclaredKey {
  type?: string;
  default?: unknown;
  value?: unknown;
}

describe("Pulumi.yaml config schema", () => {
  const declared = (parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).config ?? {}) as Record<
    string,
    DeclaredKey
  >;

  it("declares no key that a committed stack leaves unset (the engine treats a key without default as required)", () => {
    const required = Object.entries(declared)
      .filter(([, key]) => key.default === undefined && key.value === undefined)
      .map(([name]) => name);
    const unset = committedStacks().flatMap((stack) =>
      required.filter((key) => !(key in readStackFile(stack).config)).map((key) => `${stack}: ${key}`),
    );
    expect(unset).toEqual([]);
  });

  it("leaves the optional alert webhook to the program, not the schema", () => {
    expect(Object.keys(declared)).not.toContain("ai-mesh:alertWebhookUrl");
  });
});

describe("explicit providers", () => {
  const variants: [string, RunOptions][] = [
    ["dev", { stack: "dev" }],
    ["local", { stack: "local" }],
    [
      "local, Grafana admin from an existing Secret",
      {
        stack: "local",
        config: { "ai-mesh:observability": { grafana: { existingAdminSecret: "grafana-admin" } } },
      },
    ],
    [
      "dev without observability (or its llm service)",
      {
        stack: "dev",
        config: { "ai-mesh:observability": { enabled: false }, "ai-mesh:services": { chat: undefined } },
      },
    ],
  ];

  it.each(variants)("gives every custom resource of %s the stack's provider for its package", async (_, options) => {
    const run = await deploy(options);
    const providers = new Map(
      run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.type.split(":")[2], r.urn]),
    );
    const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(custom.length).toBeGreaterThan(0);
    const wrong = custom
      .filter((r) => r.provider === undefined || r.provider !== providers.get(r.type.split(":")[0]))
      .map((r) => `${r.type} ${r.name}: ${r.provider ?? "(default provider)"}`);
    expect(wrong).toEqual([]);
  });
});

describe("stack files", () => {
  // `pulumi config set` rewrites the stack file (flow style, quoting); a formatter check on it would fail.
  it.each(["Pulumi.dev.yaml", "Pulumi.local.yaml", "Pulumi.e2e-1234.yaml"])(
    "leaves %s to the Pulumi CLI (prettier ignores it)",
    (file) => {
      const info = execFileSync(path.join(ROOT, "node_modules", ".bin", "prettier"), ["--file-info", file], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(JSON.parse(info)).toMatchObject({ ignored: true });
    },
  );

  it("still formats the project file", () => {
    const info = execFileSync(path.join(ROOT, "node_modules", ".bin", "prettier"), ["--file-info", "Pulumi.yaml"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(JSON.parse(info)).toMatchObject({ ignored: false });
  });
});
