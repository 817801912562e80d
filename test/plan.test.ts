import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "../cli/project";

// As `npm run plan` runs it (package.json).
function plan(args: string[]) {
  return spawnSync(
    process.execPath,
    [path.join(ROOT, "scripts", "run.cjs"), path.join(ROOT, "scripts", "plan.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
}

describe("npm run plan", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-plan-"));
  let result: ReturnType<typeof plan>;
  beforeAll(() => {
    result = plan(["--stack", "dev", "--out", out]);
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  /** Plans stack `name`: the dev stack file with one text edit (which must apply). */
  function planDevVariant(name: string, from: string, to: string) {
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    expect(dev).toContain(from);
    const stackFile = path.join(out, `Pulumi.${name}.yaml`);
    fs.writeFileSync(stackFile, dev.replace(from, to));
    return plan(["--stack", name, "--stack-file", stackFile, "--out", path.join(out, name)]);
  }

  it("prints the component tree with counts and the canary table", () => {
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ai-mesh-dev {2}pulumi:pulumi:Stack {2}\(\d+ resources\)$/m);
    expect(result.stdout).toMatch(/├─ cluster {2}ai-mesh:index:Cluster {2}\(13 resources\)/);
    expect(result.stdout).toContain("6 × aws:ec2/subnet:Subnet");
    expect(result.stdout).toMatch(/object-detector +v1 +90% +\S+object-detector:0\.1\.0/);
    expect(result.stdout).toMatch(/mirror → v3 +5%/);
  });

  it("prints each model's route: gateway, model name, versions' pools and pickers by weight, server and weights", () => {
    expect(result.stdout).toContain(
      "Models (LLM gateway → header X-Gateway-Model-Name → InferencePool by weight → endpoint picker)",
    );
    expect(result.stdout).toMatch(
      /^meta-llama\/Llama-3\.1-8B-Instruct +llm-gateway\/llm +v1 +90% +chat-v1 \(chat-v1-epp\) +vllm\/vllm-openai:v0\.24\.0 +meta-llama\/Llama-3\.1-8B-Instruct@0e9e39f$/m,
    );
    expect(result.stdout).toMatch(/^ +v2 +10% +chat-v2 \(chat-v2-epp\) +vllm\/vllm-openai:v0\.27\.1 /m);
    expect(result.stdout).toMatch(
      /^ {2}model chat \(meta-llama\/Llama-3\.1-8B-Instruct\): weights 8\.03B × 2 bytes \(bfloat16\) = 15 GiB \+ KV cache 3 GiB \+ runtime 1\.5 GiB × 1 GPU = 19\.5 GiB; .*; fits g5\.xlarge, g6\.xlarge, /m,
    );
  });

  it("prints the capacity table and writes it to plan.json", () => {
    expect(result.stdout).toContain(
      "Capacity (pod requests at min / max replicas against what the nodes hold for pods)",
    );
    expect(result.stdout).toMatch(/^system \+ general +managed \+ karpenter +[\d.]+ \/ [\d.]+ \/ 36\.70 /m);
    expect(result.stdout).toMatch(
      /^gpu +karpenter +12\.50 \/ 21\.90 \/ no cap +48\.6Gi \/ 85\.1Gi \/ no cap +5 \/ 9 \/ 10 +fits$/m,
    );
    const planJson = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    expect(planJson.outputs.capacity.pools.map((p: { pool: string }) => p.pool)).toEqual(["system + general", "gpu"]);
  });

  it("exits non-zero naming the GPUs a pool can never give", () => {
    const short = planDevVariant("short", "      maxGpus: 10\n", "      maxGpus: 2\n");
    expect(short.status).toBe(1);
    expect(short.stderr).toContain(
      "services.objectDetector, services.chat: 5 GPUs needed at minimum replicas (objectDetector v1 1 × 1, objectDetector v2 1 × 1, objectDetector v3 1 × 1, chat v1 1 × 1, chat v2 1 × 1), cluster.gpuNodes allows at most 2 (NodePool limit 2 GPUs (g5, g6; Karpenter sizes each node to its pods))",
    );
  });

  it("prints the compliance report of the policy pack", () => {
    expect(result.stdout).toContain("Compliance (policy pack, policy/config/dev.json)");
    expect(result.stdout).toMatch(
      /^38 policies: 0 mandatory violation\(s\), 8 advisory, 0 skipped \(unknown until deploy\)$/m,
    );
    expect(result.stdout).toMatch(
      /advisory +workload-image-digest +platform-web-v1 +Deployment ai\/web-v1 container web image is not pinned by digest\./,
    );
  });

  it("exits non-zero on a mandatory policy violation the config allows", () => {
    const open = planDevVariant(
      "open",
      "      - 203.0.113.0/24\n",
      "      - 0.0.0.0/0\n    allowPublicEndpointFromAnywhere: true\n",
    );
    expect(open.status).toBe(1);
    expect(open.stdout).toMatch(
      /mandatory +eks-no-public-endpoint-to-world +cluster-eks +EKS cluster cluster-eks has a public endpoint open to 0\.0\.0\.0\/0\./,
    );
    expect(open.stderr).toContain('✗ 1 mandatory policy violation(s) in stack "open"');
  });

  it("writes plan.json with every resource, never inventing cloud-computed values", () => {
    const planJson = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    const cluster = planJson.resources.find((r: { type: string }) => r.type === "aws:eks/cluster:Cluster");
    expect(cluster.inputs.roleArn).toBe("(known after deploy)");
    expect(cluster.parent).toMatch(/ai-mesh:index:Cluster::cluster$/);
    expect(cluster.dependencies.length).toBeGreaterThan(0);
    expect(planJson.outputs.kubeconfig).toBe("(known after deploy)");
    expect(planJson.outputs.grafanaAdminPassword).toBe("(known after deploy)");
  });

  it("replaces its own files and leaves the rest of the out directory alone (canary state, charts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-plan-out-"));
    fs.mkdirSync(path.join(dir, "canary"));
    fs.writeFileSync(path.join(dir, "canary", "dev-objectDetector.state.json"), "{}");
    fs.mkdirSync(path.join(dir, "manifests"));
    fs.writeFileSync(path.join(dir, "manifests", "stale.yaml"), "");
    expect(plan(["--stack", "local", "--out", dir]).status).toBe(0);
    expect(fs.existsSync(path.join(dir, "canary", "dev-objectDetector.state.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "manifests", "stale.yaml"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "plan.json"))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes every Kubernetes object as YAML, one file per namespace, plus the Helm releases", () => {
    const files = fs.readdirSync(path.join(out, "manifests")).sort();
    expect(files).toEqual([
      "ai.yaml",
      "cluster-scoped.yaml",
      "helm-releases.yaml",
      "istio-ingress.yaml",
      "istio-system.yaml",
      "llm-gateway.yaml",
      "monitoring.yaml",
    ]);
    const ai = parseAllDocuments(fs.readFileSync(path.join(out, "manifests", "ai.yaml"), "utf8")).map((d) => d.toJS());
    const kinds = ai.map((o) => o.kind);
    expect(kinds.filter((k) => k === "VirtualService")).toHaveLength(4);
    expect(kinds.filter((k) => k === "Deployment")).toHaveLength(8);
    expect(kinds.filter((k) => k === "HTTPRoute")).toHaveLength(1);
    expect(kinds.filter((k) => k === "ScaledObject")).toHaveLength(2);
    expect(ai.every((o) => o.metadata.namespace === "ai")).toBe(true);
    const istio = parse(fs.readFileSync(path.join(out, "manifests", "istio-system.yaml"), "utf8").split("---\n")[0]);
    expect(istio.kind).toBe("PeerAuthentication");
  });

  it("exits non-zero with the key path and the sum when weights do not add up to 100", () => {
    const broken = planDevVariant(
      "broken",
      "object-detector:0.1.0\n          weight: 90",
      "object-detector:0.1.0\n          weight: 80",
    );
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('✗ plan of stack "broken" failed');
    expect(broken.stderr).toContain("services.objectDetector.versions: weights sum to 90, must be 100");
    expect(fs.existsSync(path.join(out, "broken", "plan.json"))).toBe(false);
  });

  it("exits non-zero naming the file, the line and the key when a stack file sets a key twice", () => {
    const twice = planDevVariant("twice", "      maxGpus: 10\n", "      maxGpus: 10\n      maxGpus: 8\n");
    expect(twice.status).toBe(1);
    const line =
      fs.readFileSync(path.join(out, "Pulumi.twice.yaml"), "utf8").split("\n").indexOf("      maxGpus: 8") + 1;
    expect(twice.stderr).toContain(
      `✗ plan of stack "twice" failed\nInvalid stack config (1 problem):\n  - Pulumi.twice.yaml line ${line}: key "maxGpus" appears twice under gpuNodes; a key may appear once in a mapping (which one did you mean?)`,
    );
    expect(twice.stderr).not.toMatch(/YAMLException|at .*\.js:\d+/);
  });
});
