// Services are data: a fourth service added to a stack file, and nothing else, gets everything a
// service has — workloads, routing, authorization, autoscaling, disruption budget, alerts,
// dashboard row and a place in the capacity check.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../cli/project";
import { deploy, type RunResult } from "../plan/engine";
import { at, ofType, one } from "../plan/query";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded inputs

const SUMMARIZER = `    summarizer:
      profile: gpu-inference
      versions:
        - { name: v1, image: ghcr.io/example/summarizer:1.0.0, weight: 90 }
        - { name: v2, image: ghcr.io/example/summarizer:1.1.0, weight: 10, replicas: { min: 1, max: 1 } }
      replicas: { min: 1, max: 2 }
      timeout: 60s
`;

const CALL_GRAPH = `  ai-mesh:callGraph:
    - { from: ingressGateway, to: web, methods: [GET, POST], paths: ["/*"] }
    - { from: web, to: imageProcessor, methods: [POST], paths: [/process] }
    - { from: web, to: objectDetector, methods: [POST], paths: [/detect] }
    - { from: web, to: summarizer, methods: [POST], paths: [/summarize] }
`;

describe("a service added to the stack file only", () => {
  let run: RunResult;
  const named = (type: string, name: string) =>
    ofType(run.resources, type).find((r) => at(r.inputs, "metadata.name") === name) ??
    (() => {
      throw new Error(`no ${type} named ${name}`);
    })();
  beforeAll(async () => {
    // The new service goes at the end of ai-mesh:services, which ai-mesh:llm follows in the dev stack file.
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    const [services, llm] = dev.split("  ai-mesh:llm:\n");
    expect(services.trimEnd().split("\n").pop()).toMatch(/^ {6}egress: \[huggingface\.co, /);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-summarizer-")), "Pulumi.dev.yaml");
    fs.writeFileSync(file, services + SUMMARIZER + "  ai-mesh:llm:\n" + llm + CALL_GRAPH);
    run = await deploy({ stackFile: file });
  });

  it("gets a Deployment and an HPA per version, a Service, a PDB and a ServiceAccount", () => {
    expect(
      at(named("kubernetes:apps/v1:Deployment", "summarizer-v1").inputs, "spec.template.spec.containers.0.image"),
    ).toBe("ghcr.io/example/summarizer:1.0.0");
    named("kubernetes:apps/v1:Deployment", "summarizer-v2");
    const hpa = (version: string) =>
      named("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `summarizer-${version}`).inputs.spec as Json;
    expect([hpa("v1").minReplicas, hpa("v1").maxReplicas, hpa("v2").maxReplicas]).toEqual([1, 2, 1]);
    named("kubernetes:core/v1:Service", "summarizer");
    named("kubernetes:policy/v1:PodDisruptionBudget", "summarizer");
    named("kubernetes:core/v1:ServiceAccount", "summarizer");
    // Its profile puts it on a GPU.
    const pod = at(named("kubernetes:apps/v1:Deployment", "summarizer-v1").inputs, "spec.template.spec") as Json;
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
  });

  it("gets a DestinationRule with a subset per version and a VirtualService with its weights", () => {
    const dr = named("kubernetes:networking.istio.io/v1:DestinationRule", "summarizer").inputs.spec as Json;
    expect(dr.subsets.map((s: Json) => s.name)).toEqual(["v1", "v2"]);
    const vs = named("kubernetes:networking.istio.io/v1:VirtualService", "summarizer").inputs.spec as Json;
    expect(vs.http[0].route.map((r: Json) => [r.destination.subset, r.weight])).toEqual([
      ["v1", 90],
      ["v2", 10],
    ]);
    expect(vs.http[0].timeout).toBe("60s");
  });

  it("gets an ALLOW policy naming exactly its caller from the call graph", () => {
    const policy = named("kubernetes:security.istio.io/v1:AuthorizationPolicy", "summarizer-allow-callers").inputs
      .spec as Json;
    expect(policy.rules).toEqual([
      {
        from: [{ source: { principals: ["cluster.local/ns/ai/sa/web"] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/summarize"], ports: ["8080"] } }],
      },
    ]);
  });

  it("gets its canary alert and a dashboard row with its panels", () => {
    const groups = (one(run.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec as Json)
      .groups;
    const canary = groups[0].rules.filter((r: Json) => r.alert === "CanaryErrorRateAboveStable");
    expect(canary.map((r: Json) => r.labels.service)).toEqual([
      "image-processor",
      "object-detector",
      "chat",
      "summarizer",
    ]);
    const dashboard = JSON.parse(
      (named("kubernetes:core/v1:ConfigMap", "ai-mesh-dashboard").inputs.data as Json)["ai-services.json"],
    );
    const rows = dashboard.panels.filter((p: Json) => p.type === "row").map((p: Json) => p.title);
    expect(rows).toEqual([
      "web",
      "image-processor",
      "object-detector",
      "chat: meta-llama/Llama-3.1-8B-Instruct",
      "summarizer",
    ]);
    const panels = dashboard.panels.filter((p: Json) => p.title.startsWith("summarizer: ")).map((p: Json) => p.title);
    expect(panels).toEqual([
      "summarizer: Requests per second",
      "summarizer: Success rate (non-5xx)",
      "summarizer: P99 latency",
      "summarizer: GPU utilization",
    ]);
  });

  it("counts in the capacity check and in the canary table", () => {
    const capacity = run.outputs.capacity as { pools: { pool: string; atMin: { gpus: number } }[] };
    expect(capacity.pools.find((p) => p.pool === "gpu")!.atMin.gpus).toBe(7);
    expect((run.outputs.canaryWeights as Json).summarizer).toEqual({ v1: 90, v2: 10 });
  });
});
