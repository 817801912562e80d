// The cost estimate: node fleets as Karpenter would size them, each line's arithmetic from the price
// table, GPUs held at 0 % weight, what is not priced, the pull-request comment against a base, and
// where each price was read.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../cli/project";
import { readStackFile } from "../cli/stackFile";
import { mergeConfig, type ConfigValues } from "../cli/stackFile";
import { parseConfig, rawConfig } from "../components/config";
import { costEstimate } from "../components/cost/estimate";
import { gpuFleet, managedFleet, overflowFleet } from "../components/cost/nodes";
import { PRICE_TABLE, type Price, type PriceTable } from "../components/cost/prices";
import type { PodGroup } from "../components/capacity/demand";
import type { NodeShape } from "../components/capacity/pools";
import { renderCostComment, renderCostTable } from "../plan/costReport";

const dev = (overrides: ConfigValues = {}) =>
  parseConfig(rawConfig(mergeConfig(readStackFile("dev").config, overrides)));

const shape = (type: string, cpu: number, memory: number, gpus: number): NodeShape => ({
  type,
  node: { cpu, memory, gpus },
  forPods: { cpu, memory, gpus },
});
const pod = (cpu: number, memory: number, gpu: number): PodGroup => ({
  source: "services.x v1",
  keys: { cpu: "", memory: "", gpu: "" },
  placement: "gpu",
  min: 1,
  max: 1,
  cpu,
  memory,
  gpu,
});

describe("node fleets", () => {
  const prices: Record<string, number> = { one: 1.0, four: 3.5, big: 2.0 };
  const price = (type: string) => prices[type];

  it("puts GPU pods on the cheapest type, as many per node as GPUs, CPU and memory allow", () => {
    const shapes = [shape("one", 4000, 16000, 1), shape("four", 48000, 190000, 4)];
    // 5 one-GPU pods: 5 × one = $5/h beats 2 × four = $7/h.
    expect(gpuFleet(pod(2000, 8000, 1), 5, shapes, price)).toEqual({ type: "one", count: 5, hourly: 5 });
    // A pod too large for "one" (CPU) can only go on "four", three per node by CPU: 7 pods → 3 nodes.
    expect(gpuFleet(pod(15000, 8000, 1), 7, shapes, price)).toEqual({ type: "four", count: 3, hourly: 10.5 });
    expect(gpuFleet(pod(2000, 8000, 2), 1, [shapes[0]], price)).toBeUndefined();
    expect(gpuFleet(pod(2000, 8000, 1), 0, shapes, price)).toEqual({ type: "", count: 0, hourly: 0 });
    // Only an unpriced type holds it: counted, not priced.
    expect(gpuFleet(pod(2000, 8000, 1), 2, [shape("unknown", 4000, 16000, 1)], price)).toEqual({
      type: "unknown",
      count: 2,
      hourly: null,
    });
  });

  it("sizes the overflow of CPU pods by their summed requests, on types the largest pod fits", () => {
    const shapes = [shape("one", 2000, 8000, 0), shape("big", 8000, 32000, 0)];
    // 5 CPUs over: 3 × one ($3/h) or 1 × big ($2/h).
    expect(overflowFleet({ cpu: 5000, memory: 1000 }, { cpu: 500, memory: 500 }, shapes, price)).toEqual({
      type: "big",
      count: 1,
      hourly: 2,
    });
    // Memory decides: 20 GB over needs 3 × one (24 GB) at $3/h, or 1 × big at $2/h.
    expect(overflowFleet({ cpu: 100, memory: 20000 }, { cpu: 100, memory: 100 }, [shapes[0]], price)).toEqual({
      type: "one",
      count: 3,
      hourly: 3,
    });
    expect(overflowFleet({ cpu: -300, memory: -10 }, { cpu: 1, memory: 1 }, shapes, price)).toEqual({
      type: "",
      count: 0,
      hourly: 0,
    });
    expect(managedFleet([shape("big", 8000, 32000, 0)], 3, price)).toEqual({ type: "big", count: 3, hourly: 6 });
  });
});

describe("costEstimate", () => {
  it("prices the dev stack line by line at minimum and maximum replicas", () => {
    const estimate = costEstimate(dev());
    expect(estimate.lines).toEqual([
      // 0.10 × 730
      line("EKS control plane", "1 × cluster (standard support)", 73),
      // 0.045 × 730
      line("NAT gateways", "1 × NAT gateway", 32.85),
      // ingress and LLM gateway: 2 × 0.0225 × 730
      line("load balancers", "2 × NLB", 32.85),
      // 1 NAT + 2 internet-facing NLBs × 3 zones = 7 × 0.005 × 730
      line("public IPv4 addresses", "7 × address", 25.55),
      // 2 × 0.192 × 730
      line("cluster.systemNodes (managed)", "2 × m6i.xlarge", 280.32),
      {
        item: "cluster.generalNodes (Karpenter)",
        min: "1 × c6i.large", // 0.085 × 730
        max: "1 × c6i.2xlarge", // 0.34 × 730
        monthlyMin: 62.05,
        monthlyMax: 248.2,
      },
      {
        item: "cluster.gpuNodes (Karpenter)",
        min: "5 × g6.xlarge (5 GPUs)", // 5 × 0.8048 × 730 = 2937.52
        max: "9 × g6.xlarge (9 GPUs)", // 9 × 0.8048 × 730 = 5287.536
        monthlyMin: 2937.52,
        monthlyMax: 5287.54,
      },
      {
        item: "gp3 volumes",
        // 2 × 50 (system) + 1 × 50 (general) + 5 × 100 (GPU) + 20 (Prometheus) = 670 GiB × 0.08
        min: "670 GiB (node disks, Prometheus 20 GiB)",
        max: "1070 GiB (node disks, Prometheus 20 GiB)",
        monthlyMin: 53.6,
        monthlyMax: 85.6,
      },
    ]);
    expect(estimate.total).toEqual({ min: 3497.74, max: 6065.91 });
    expect(estimate.region).toBe("us-west-2");
    expect(estimate.prices).toEqual({ region: "us-east-1", date: "2026-12-06" });
  });

  it("flags a version at 0 % weight that holds a GPU, with what its node costs", () => {
    expect(costEstimate(dev()).idleGpus).toEqual([
      { service: "objectDetector", version: "v3", gpus: 1, mirrorPercent: 5, monthly: 587.5 },
    ]);
    const table = renderCostTable(costEstimate(dev()));
    expect(table).toContain(
      "  ! objectDetector v3 has weight 0 % and holds 1 GPU at minimum replicas (mirror target: it serves a 5 % copy, answers discarded): $587.50 a month",
    );
    expect(table).toContain(
      "Prices: us-east-1 on-demand list prices (components/cost/prices.ts, 2026-12-06); the stack is in us-west-2, which the table does not hold: us-east-1 prices stand in.",
    );
    expect(table).toMatch(/^total \(priced items\) +3,497\.74 +6,065\.91$/m);
  });

  it("counts a NAT gateway and a public address per zone with natGateways perAz", () => {
    const estimate = costEstimate(dev({ "ai-mesh:cluster": { network: { natGateways: "perAz" } } }));
    const item = (name: string) => estimate.lines.find((l) => l.item === name);
    expect(item("NAT gateways")).toEqual(line("NAT gateways", "3 × NAT gateway", 98.55));
    expect(item("public IPv4 addresses")).toEqual(line("public IPv4 addresses", "9 × address", 32.85));
    expect(estimate.total.min).toBe(3570.74); // 3497.74 + 2 × 32.85 + 2 × 3.65
  });

  it("takes the cheapest priced type, and says 'not priced' when the table lacks every one", () => {
    const withoutG6: PriceTable = {
      ...PRICE_TABLE,
      instances: {
        ...PRICE_TABLE.instances,
        hourly: Object.fromEntries(Object.entries(PRICE_TABLE.instances.hourly).filter(([t]) => !t.startsWith("g6."))),
      },
    };
    const gpuLine = (table: PriceTable) =>
      costEstimate(dev(), table).lines.find((l) => l.item.startsWith("cluster.gpu"));
    // g5.xlarge: 5 × 1.006 × 730
    expect(gpuLine(withoutG6)).toMatchObject({ min: "5 × g5.xlarge (5 GPUs)", monthlyMin: 3671.9 });
    const noGpuPrices: PriceTable = {
      ...PRICE_TABLE,
      instances: {
        ...PRICE_TABLE.instances,
        hourly: Object.fromEntries(Object.entries(PRICE_TABLE.instances.hourly).filter(([t]) => !t.startsWith("g"))),
      },
    };
    const estimate = costEstimate(dev(), noGpuPrices);
    expect(estimate.lines.find((l) => l.item.startsWith("cluster.gpu"))).toMatchObject({
      monthlyMin: null,
      monthlyMax: null,
    });
    expect(estimate.total.min).toBe(560.22); // 3497.74 − 2937.52
    expect(estimate.notPriced[0]).toBe("cluster.gpuNodes (Karpenter) (a type the price table lacks)");
    expect(estimate.idleGpus[0].monthly).toBeNull();
    expect(renderCostTable(estimate)).toMatch(
      /^cluster\.gpuNodes \(Karpenter\) +5 × g5\.xlarge \(5 GPUs\) +not priced /m,
    );
  });

  it("counts a managed GPU group's nodes, and says when GPU demand passes the NodePool's limit", () => {
    const config = dev();
    if (config.cluster.mode !== "eks") throw new Error("dev is an EKS stack");
    config.cluster.gpuNodes = {
      provisioner: "managed",
      instanceTypes: ["g5.xlarge"],
      capacityType: "ON_DEMAND",
      amiType: "AL2023_x86_64_NVIDIA",
      diskSizeGiB: 100,
      minSize: 1,
      desiredSize: 5,
      maxSize: 6,
      autoscaler: "cluster-autoscaler",
    };
    const managed = costEstimate(config);
    // No general NodePool without Karpenter; 5 (desired) and 6 (max, an autoscaler scales it) × 1.006 × 730.
    expect(managed.lines.map((l) => l.item)).not.toContain("cluster.generalNodes (Karpenter)");
    expect(managed.lines.find((l) => l.item === "cluster.gpuNodes (managed)")).toEqual({
      item: "cluster.gpuNodes (managed)",
      min: "5 × g5.xlarge",
      max: "6 × g5.xlarge",
      monthlyMin: 3671.9,
      monthlyMax: 4406.28,
    });
    const limited = costEstimate(dev({ "ai-mesh:cluster": { gpuNodes: { maxGpus: 6 } } }));
    expect(limited.lines.find((l) => l.item === "cluster.gpuNodes (Karpenter)")?.max).toBe(
      "9 × g6.xlarge (9 GPUs); over the NodePool's 6-GPU limit",
    );
  });

  it("prices nothing for an existing cluster, and says why", () => {
    const estimate = costEstimate(parseConfig(rawConfig(readStackFile("local").config)));
    expect(estimate.lines).toEqual([]);
    expect(estimate.note).toBe("cluster.mode existing: this stack creates no AWS resources the price table covers");
  });
});

describe("the pull-request comment", () => {
  it("shows each line and the total with its change against the base branch", () => {
    const head = costEstimate(dev());
    const base = costEstimate(dev({ "ai-mesh:cluster": { systemNodes: { desiredSize: 3, maxSize: 4 } } }));
    const comment = renderCostComment("dev", head, base);
    expect(comment.split("\n").slice(0, 7)).toEqual([
      "<!-- ai-mesh-cost -->",
      "### Estimated monthly cost of stack `dev` (on-demand, USD)",
      "",
      "Change against the base branch's estimate.",
      "",
      "| item | at min replicas | $/month | change | at max replicas | $/month | change |",
      "| --- | --- | ---: | ---: | --- | ---: | ---: |",
    ]);
    // One system node fewer: −0.192 × 730 = −140.16.
    expect(comment).toContain(
      "| cluster.systemNodes (managed) | 2 × m6i.xlarge | 280.32 | −140.16 | 2 × m6i.xlarge | 280.32 | −140.16 |",
    );
    expect(comment).toContain("| EKS control plane | 1 × cluster (standard support) | 73.00 | 0 |");
    // The base had 3 system nodes and no general node at minimum: −140.16 + 62.05 = −78.11. At maximum
    // it had 1 × c6i.xlarge beside them (124.10) and 50 GiB more disk: −140.16 + 124.10 − 4.00 = −20.06.
    expect(comment).toContain(
      "| cluster.generalNodes (Karpenter) | 1 × c6i.large | 62.05 | +62.05 | 1 × c6i.2xlarge | 248.20 | +124.10 |",
    );
    expect(comment).toContain("| **total** | | **3,497.74** | **−78.11** | | **6,065.91** | **−20.06** |");
    expect(comment).toContain(
      "> [!WARNING]\n> objectDetector v3 has weight 0 % and holds 1 GPU at minimum replicas (mirror target: it serves a 5 % copy, answers discarded): $587.50 a month",
    );
    expect(renderCostComment("dev", head, undefined)).toContain("The base branch has no estimate to compare with.");
  });
});

function line(item: string, counted: string, monthly: number) {
  return { item, min: counted, max: counted, monthlyMin: monthly, monthlyMax: monthly };
}

describe("the price table's sources", () => {
  const { region, date, currency, instances, ...fixed } = PRICE_TABLE;
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("reads each fixed price on AWS's own pages, or says where it was read and names AWS's page", () => {
    const where = Object.entries(fixed).map(([name, price]: [string, Price]) => [
      name,
      /^https:\/\/(aws\.amazon\.com|www\.repost\.aws)\//.test(price.source) ? "AWS" : price.source.split(":")[0],
      price.awsPage,
    ]);
    expect(where).toEqual([
      ["eksControlPlane", "AWS", undefined],
      ["natGateway", "not AWS's page", "https://aws.amazon.com/vpc/pricing/"],
      ["networkLoadBalancer", "not AWS's page", "https://aws.amazon.com/elasticloadbalancing/pricing/"],
      ["publicIpv4", "AWS", undefined],
      ["gp3", "not AWS's page", "https://aws.amazon.com/ebs/pricing/"],
    ]);
    expect([region, date, currency, instances.source]).toEqual([
      "us-east-1",
      "2026-12-06",
      "USD",
      expect.stringContaining("from the AWS Price List API"),
    ]);
  });

  it("the README says the same: which were read elsewhere, and AWS's page for each", () => {
    const section = readme.slice(readme.indexOf("The prices are in `components/cost/prices.ts`"));
    expect(section).toContain(
      "The NAT gateway, Network Load Balancer and gp3 prices were not read on AWS's\npricing pages",
    );
    for (const price of Object.values<Price>(fixed)) if (price.awsPage) expect(section).toContain(price.awsPage);
  });
});
