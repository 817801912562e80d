// `npm run cost:comment` as the pull-request workflow runs it: the real entry point on a head and a
// base cost.json, the Markdown it prints compared whole; a missing base said, a missing head refused.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../cli/project";
import type { CostEstimate } from "../components/cost/estimate";

// As package.json runs it.
const costComment = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [path.join(ROOT, "scripts", "run.cjs"), path.join(ROOT, "scripts", "costComment.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    },
  );

const prices = { region: "us-west-2", date: "2026-11-01" };
const notPriced = ["data transfer out of AWS"];
const head: CostEstimate = {
  region: "us-west-2",
  prices,
  lines: [
    { item: "EKS control plane", min: "1 × cluster", max: "1 × cluster", monthlyMin: 73, monthlyMax: 73 },
    { item: "NAT gateways", min: "3 × gateway", max: "3 × gateway", monthlyMin: 98.55, monthlyMax: 98.55 },
    { item: "cluster.gpuNodes", min: "1 × g6.xlarge", max: "4 × g6.xlarge", monthlyMin: 587.5, monthlyMax: 2350 },
  ],
  total: { min: 759.05, max: 2521.55 },
  notPriced,
  idleGpus: [{ service: "objectDetector", version: "v3", gpus: 1, monthly: 587.5 }],
};
const base: CostEstimate = {
  region: "us-west-2",
  prices,
  lines: [
    { item: "EKS control plane", min: "1 × cluster", max: "1 × cluster", monthlyMin: 73, monthlyMax: 73 },
    { item: "NAT gateways", min: "1 × gateway", max: "1 × gateway", monthlyMin: 32.85, monthlyMax: 32.85 },
    { item: "public IPv4 addresses", min: "1 × address", max: "1 × address", monthlyMin: 3.65, monthlyMax: 3.65 },
  ],
  total: { min: 109.5, max: 109.5 },
  notPriced,
  idleGpus: [],
};

describe("npm run cost:comment", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-comment-"));
  const headFile = path.join(dir, "head", "cost.json");
  const baseFile = path.join(dir, "base", "cost.json");
  beforeAll(() => {
    for (const [file, estimate] of [
      [headFile, head],
      [baseFile, base],
    ] as const) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(estimate));
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const warning =
    "> [!WARNING]\n> objectDetector v3 has weight 0 % and holds 1 GPU at minimum replicas: $587.50 a month\n";
  const footer =
    "Prices: us-west-2 on-demand list prices (components/cost/prices.ts, 2026-11-01). Not priced: data transfer out of AWS.\n";

  it("prints the head's estimate against the base's, as Markdown", () => {
    const result = costComment("--stack", "dev", "--head", headFile, "--base", baseFile);
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toBe(
      [
        "<!-- ai-mesh-cost -->",
        "### Estimated monthly cost of stack `dev` (on-demand, USD)",
        "",
        "Change against the base branch's estimate.",
        "",
        "| item | at min replicas | $/month | change | at max replicas | $/month | change |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: |",
        "| EKS control plane | 1 × cluster | 73.00 | 0 | 1 × cluster | 73.00 | 0 |",
        "| NAT gateways | 3 × gateway | 98.55 | +65.70 | 3 × gateway | 98.55 | +65.70 |",
        "| cluster.gpuNodes | 1 × g6.xlarge | 587.50 | new | 4 × g6.xlarge | 2,350.00 | new |",
        "| public IPv4 addresses | removed | | | removed | | |",
        "| **total** | | **759.05** | **+649.55** | | **2,521.55** | **+2,412.05** |",
        "",
        warning,
        footer,
      ].join("\n"),
    );
  });

  it("says when the base has no estimate (its cost.json missing)", () => {
    const result = costComment("--stack", "prod", "--head", headFile, "--base", path.join(dir, "none.json"));
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toBe(
      [
        "<!-- ai-mesh-cost -->",
        "### Estimated monthly cost of stack `prod` (on-demand, USD)",
        "",
        "The base branch has no estimate to compare with.",
        "",
        "| item | at min replicas | $/month | change | at max replicas | $/month | change |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: |",
        "| EKS control plane | 1 × cluster | 73.00 |  | 1 × cluster | 73.00 |  |",
        "| NAT gateways | 3 × gateway | 98.55 |  | 3 × gateway | 98.55 |  |",
        "| cluster.gpuNodes | 1 × g6.xlarge | 587.50 |  | 4 × g6.xlarge | 2,350.00 |  |",
        "| **total** | | **759.05** |  | | **2,521.55** |  |",
        "",
        warning,
        footer,
      ].join("\n"),
    );
  });

  it("refuses a missing head estimate with exit 1, printing nothing on stdout", () => {
    const missing = path.join(dir, "out", "cost.json");
    const result = costComment("--head", missing);
    expect([result.status, result.stdout, result.stderr]).toEqual([
      1,
      "",
      `no cost estimate at ${missing} (npm run plan writes it)\n`,
    ]);
  });
});
