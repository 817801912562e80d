import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "../cli/project";
import { kubernetesObjects, ofType } from "../plan/query";
import type { RecordedResource } from "../plan/recorder";

// As `npm run plan` runs it (package.json).
function plan(args: string[], initCwd = ROOT) {
  return spawnSync(
    process.execPath,
    [path.join(ROOT, "scripts", "run.cjs"), path.join(ROOT, "scripts", "plan.ts"), ...args],
    {
      // npm runs it from the project root and says where the user was in INIT_CWD.
      cwd: ROOT,
      env: { ...process.env, INIT_CWD: initCwd },
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

  /** Plans Pulumi.<name>.yaml, the dev stack file with one text edit (which must apply): no --stack, the file names it. */
  function planDevVariant(name: string, from: string, to: string) {
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    expect(dev).toContain(from);
    const stackFile = path.join(out, `Pulumi.${name}.yaml`);
    fs.writeFileSync(stackFile, dev.replace(from, to));
    return plan([`--stack-file=${stackFile}`, "--out", path.join(out, name)]);
  }

  it("prints the component tree with counts and the canary table", () => {
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ai-mesh-dev {2}pulumi:pulumi:Stack {2}\(\d+ resources\)$/m);
    expect(result.stdout).toMatch(/├─ cluster {2}ai-mesh:index:Cluster {2}\(13 resources\)/);
    expect(result.stdout).toContain(
      "6 × aws:ec2/subnet:Subnet: network-{public-0, public-1, public-2, private-0, private-1, private-2}\n",
    );
    // The CRD bundles say what they apply, not "(0 resources)".
    expect(result.stdout).toContain(
      [
        "├─ inference-crds-gateway-api  kubernetes:yaml/v2:ConfigFile  (applies 10 objects)",
        "│  │  ├─ 8 × CustomResourceDefinition: gateway.networking.k8s.io/{BackendTLSPolicy, GatewayClass, Gateway, GRPCRoute, HTTPRoute, ListenerSet, ReferenceGrant, TLSRoute}",
      ].join("\n"),
    );
    expect(result.stdout).not.toContain("(0 resources)");
    expect(result.stdout).toMatch(/object-detector +v1 +90% +\S+object-detector:0\.1\.0/);
    expect(result.stdout).toMatch(/mirror → v3 +5%/);
  });

  it("prints the cost table and writes cost.json", () => {
    expect(result.stdout).toMatch(/^total \(priced items\) +3,497\.74 +6,065\.91$/m);
    expect(result.stdout).toContain("  ! objectDetector v3 has weight 0 % and holds 1 GPU at minimum replicas");
    const cost = JSON.parse(fs.readFileSync(path.join(out, "cost.json"), "utf8"));
    expect(cost.total).toEqual({ min: 3497.74, max: 6065.91 });
  });

  it("prints each model's route: gateway, model name, versions' pools and pickers by weight, server and weights", () => {
    expect(result.stdout).toContain(
      "Models (LLM gateway → header X-Gateway-Model-Name → InferencePool by weight → endpoint picker)",
    );
    // In the route's order: the stable pool last (Istio 1.30.3 gives the rule the last backendRef's picker).
    expect(result.stdout).toMatch(
      /^meta-llama\/Llama-3\.1-8B-Instruct +llm-gateway\/llm +v2 +10% +chat-v2 \(chat-v2-epp\) +vllm\/vllm-openai:v0\.27\.1 /m,
    );
    expect(result.stdout).toMatch(
      /^ +v1 +90% +chat-v1 \(chat-v1-epp\) +vllm\/vllm-openai:v0\.24\.0 +meta-llama\/Llama-3\.1-8B-Instruct@0e9e39f$/m,
    );
    expect(result.stdout).toContain(
      "⚠ chat v2: weight 10 from the stack file; if v2 is new in this update, pulumi up routes to it once its Deployment is ready",
    );
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

  it("is described truly by its stack file's first line: its GPUs and its canaries", () => {
    const firstLine = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").split("\n")[0];
    const claim = /(\d+) GPUs at minimum replicas \((\d+) at most\), and canaries on (\w+) services\.$/.exec(firstLine);
    expect(claim).not.toBeNull();
    const gpu = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")).outputs.capacity.pools.find(
      (p: { pool: string }) => p.pool === "gpu",
    );
    expect([Number(claim![1]), Number(claim![2])]).toEqual([gpu.atMin.gpus, gpu.capacity.gpus]);
    const services = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config["ai-mesh:services"];
    const canaries = Object.values(services).filter((s) => ((s as { versions?: unknown[] }).versions ?? []).length > 1);
    expect(["one", "two", "three", "four", "five"].indexOf(claim![3]) + 1).toBe(canaries.length);
  });

  it("exits non-zero naming the GPUs a pool can never give", () => {
    const short = planDevVariant("short", "      maxGpus: 10\n", "      maxGpus: 2\n");
    expect(short.status).toBe(1);
    expect(short.stderr).toContain(
      "services.objectDetector, services.chat: 5 GPUs needed at minimum replicas (objectDetector v1 1 × 1, objectDetector v2 1 × 1, objectDetector v3 1 × 1, chat v1 1 × 1, chat v2 1 × 1), cluster.gpuNodes allows at most 2 (NodePool limit 2 GPUs (g5, g6; Karpenter sizes each node to its pods))",
    );
  });

  it("names every internet-facing address with its TLS, what plain HTTP gets, its authentication and limit", () => {
    const table = result.stdout.slice(
      result.stdout.indexOf("Internet-facing addresses"),
      result.stdout.indexOf("Models ("),
    );
    expect(
      table
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/ {2,}/)),
    ).toEqual([
      ["Internet-facing addresses (TLS, what plain HTTP gets, who may call)"],
      ["address", "front door", "TLS", "answers", "authentication", "per-client limit"],
      ["http://ai.dev.example.com", "istio-ingress/istio-ingressgateway", "none", "301 to https", "-", "-"],
      [
        "https://ai.dev.example.com",
        "istio-ingress/istio-ingressgateway",
        "at the NLB (ACM …000000000001)",
        "serves",
        "none",
        "none",
      ],
      [
        "https://llm.dev.example.com",
        "llm-gateway/llm-gateway",
        "at the NLB (ACM …000000000002)",
        "serves",
        "bearer JWT from https://auth.dev.example.com/",
        "60 per 60s",
      ],
      [
        "https://<EKS API endpoint> from 203.0.113.0/24",
        "EKS API of ai-mesh-dev",
        "EKS (the cluster's certificate)",
        "serves",
        "IAM (EKS access entries)",
        "none",
      ],
    ]);
  });

  it("shows a plain-HTTP LLM gateway as such, flagged (advisory) by the front-door policy", () => {
    const plain = planDevVariant(
      "plain",
      "      certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000002\n",
      "",
    );
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(
      /^http:\/\/llm\.dev\.example\.com +llm-gateway\/llm-gateway +none +serves plain HTTP +bearer JWT from https:\/\/auth\.dev\.example\.com\/ +60 per 60s$/m,
    );
    expect(plain.stdout).toMatch(
      /^advisory +gateway-internet-facing-tls +\(stack\) +Gateway llm-gateway\/llm-gateway faces the internet without TLS: its load balancer has no certificate \(service\.beta\.kubernetes\.io\/aws-load-balancer-ssl-cert\)\.$/m,
    );
  });

  it("prints the compliance report of the policy pack", () => {
    expect(result.stdout).toContain("Compliance (policy pack, policy/config/dev.json)");
    expect(result.stdout).toMatch(
      /^41 policies: 0 mandatory violation\(s\), 8 advisory, 0 skipped \(unknown until deploy\)$/m,
    );
    // What found nothing is listed too: the front doors' checks ran and passed.
    const passed = result.stdout.slice(result.stdout.indexOf("passed (40): "));
    expect(passed).toMatch(/[ ,]gateway-internet-facing-tls,\s+llm-gateway-internet-facing-auth,/);
    expect(passed).not.toContain("workload-image-digest");
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
    // Named after its file, Pulumi.open.yaml, all through: the stack, its resources, the verdict.
    expect(open.stdout).toContain('Plan for stack "open" (offline');
    expect(open.stdout).toMatch(/^ai-mesh-open {2}pulumi:pulumi:Stack /m);
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
    // --flag=value as well as --flag value.
    const local = plan(["--stack=local", `--out=${dir}`]);
    expect([local.status, local.stdout.split("\n")[0]]).toEqual([
      0,
      'Plan for stack "local" (offline: cloud-computed values show as "(known after deploy)")',
    ]);
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

  it("writes manifests and Helm values that YAML 1.1 readers (Helm, Prometheus) read back as recorded", () => {
    const recorded = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")).resources;
    const expected = [
      // plan.json keeps no `custom` flag: a Kubernetes object is what has a kind.
      ...kubernetesObjects(recorded.map((r: RecordedResource) => ({ ...r, custom: true }))).map((r) => r.inputs),
      ...ofType(recorded, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs),
    ];
    const written = fs
      .readdirSync(path.join(out, "manifests"))
      .flatMap((file) =>
        parseAllDocuments(fs.readFileSync(path.join(out, "manifests", file), "utf8"), { version: "1.1" }).map((d) =>
          d.toJS(),
        ),
      );
    expect(written).toHaveLength(expected.length);
    expect(new Set(written.map((o) => JSON.stringify(o)))).toEqual(new Set(expected.map((o) => JSON.stringify(o))));
    const kps = written.find((o) => o.chart === "kube-prometheus-stack");
    expect(kps.values.prometheus.prometheusSpec.retention).toBe("7d");
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

  it("exits non-zero on a misspelt ai-mesh: key, with the key it meant, in a stack named after its file", () => {
    const typo = planDevVariant("typo", "  ai-mesh:observability:\n", "  ai-mesh:obserbability:\n");
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(
      /^✗ plan of stack "typo" failed\nInvalid stack config \(1 problem\):\n {2}- ai-mesh:obserbability: is not a key ai-mesh reads; did you mean ai-mesh:observability\? \(keys: ai-mesh:environment, /,
    );
  });

  it("exits non-zero naming the file, the line and the key when a stack file sets a key twice", () => {
    const twice = planDevVariant("twice", "      maxGpus: 10\n", "      maxGpus: 10\n      maxGpus: 8\n");
    expect(twice.status).toBe(1);
    const line =
      fs.readFileSync(path.join(out, "Pulumi.twice.yaml"), "utf8").split("\n").indexOf("      maxGpus: 8") + 1;
    expect(twice.stderr).toContain(
      `✗ plan of stack "twice" failed\nInvalid stack config (1 problem):\n  - Pulumi.twice.yaml line ${line}: key "maxGpus" appears twice under "ai-mesh:cluster.gpuNodes"; a key may appear once in a mapping (which one did you mean?)`,
    );
    expect(twice.stderr).not.toMatch(/YAMLException|at .*\.js:\d+/);
  });
});

describe("npm run plan's command line", () => {
  const usage = [
    "usage: npm run plan -- [--stack <stack>] [--stack-file <file>] [--out <dir>]",
    "",
    "Runs index.ts on a recording engine (no cloud, no Pulumi CLI, no credentials) and prints the resource",
    "tree, the canary, model and capacity tables and the policy report; writes plan.json and manifests/.",
    "",
    "  --stack <stack>      the stack to plan: Pulumi.<stack>.yaml (default dev)",
    "  --stack-file <file>  plan this stack file instead; the stack is named after it (Pulumi.<stack>.yaml)",
    "  --out <dir>          where plan.json and manifests/ go (default out)",
    "  --help               show this help",
    "",
  ].join("\n");

  it("prints its usage for --help, and exits 0", () => {
    const help = plan(["--help"]);
    expect([help.status, help.stdout, help.stderr]).toEqual([0, usage, ""]);
  });

  it("refuses a flag it does not know with the usage, exit 2, planning nothing", () => {
    const typo = plan(["--stak", "local"]);
    expect([typo.status, typo.stdout, typo.stderr]).toEqual([
      2,
      "",
      `✗ unknown flag --stak (did you mean --stack?)\n\n${usage}`,
    ]);
    const stray = plan(["local"]);
    expect([stray.status, stray.stderr.split("\n")[0]]).toEqual([
      2,
      '✗ unexpected argument "local" (flags are --name value)',
    ]);
    const bare = plan(["--stack"]);
    expect([bare.status, bare.stderr.split("\n")[0]]).toEqual([2, "✗ --stack needs a value"]);
  });

  it("names the stacks there are for a stack that does not exist, exit 2", () => {
    const nosuch = plan(["--stack", "nosuch"]);
    expect([nosuch.status, nosuch.stdout, nosuch.stderr]).toEqual([
      2,
      "",
      `✗ --stack nosuch: there is no Pulumi.nosuch.yaml in ${ROOT}; the stacks are dev, local\n`,
    ]);
    const missing = plan(["--stack-file", "/nonexistent/Pulumi.typo.yaml"]);
    expect([missing.status, missing.stderr]).toEqual([
      2,
      "✗ --stack-file /nonexistent/Pulumi.typo.yaml: no such file (looked for /nonexistent/Pulumi.typo.yaml)\n",
    ]);
  });

  it("finds a relative --stack-file from the user's directory, not the project root", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-cwd-"));
    try {
      fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), path.join(elsewhere, "Pulumi.mine.yaml"));
      const mine = plan(["--stack-file", "Pulumi.mine.yaml", "--out", path.join(elsewhere, "out")], elsewhere);
      expect([mine.status, mine.stderr]).toEqual([0, ""]);
      expect(mine.stdout).toMatch(/^ai-mesh-mine {2}pulumi:pulumi:Stack/m);
      const typo = plan(["--stack-file", "Pulumi.typo.yaml"], elsewhere);
      expect([typo.status, typo.stderr]).toEqual([
        2,
        `✗ --stack-file Pulumi.typo.yaml: no such file (looked for ${path.join(elsewhere, "Pulumi.typo.yaml")})\n`,
      ]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
