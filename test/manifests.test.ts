import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ROOT } from "../cli/project";

// The schema packages are ESM-only; the validator runs under tsx, as `npm run validate:manifests` does.
function validate(args: string[] = []) {
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  return spawnSync(tsx, [path.join(ROOT, "scripts", "validateManifests.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 90_000,
  });
}

describe("manifest schema validation", () => {
  it("rejects a VirtualService with a string weight, a Deployment with a bad field type, a NodePool with an unknown policy and an InferenceObjective without a pool, and lists unknown kinds", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-schemas-")), "broken.yaml");
    const objects = [
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "web", namespace: "ai" },
        spec: { hosts: ["web"], http: [{ route: [{ destination: { host: "web", subset: "v1" }, weight: "100" }] }] },
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web-v1", namespace: "ai" },
        spec: {
          replicas: "two",
          selector: { matchLabels: { app: "web" } },
          template: { spec: { containers: [{ name: "web", image: "r/web:1" }] } },
        },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "ok", namespace: "ai" },
        data: { key: "value" },
      },
      {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: "gpu" },
        spec: {
          template: {
            spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "gpu" }, requirements: [] },
          },
          disruption: { consolidationPolicy: "Sometimes" },
        },
      },
      // Checked against the CRD in the pinned GIE module (v1.4.0
      // config/crd/bases/inference.networking.x-k8s.io_inferenceobjectives.yaml): no package covers it.
      {
        apiVersion: "inference.networking.x-k8s.io/v1alpha2",
        kind: "InferenceObjective",
        metadata: { name: "chat", namespace: "ai" },
        spec: { priority: "high" },
      },
      {
        apiVersion: "inference.networking.x-k8s.io/v1alpha2",
        kind: "InferenceObjective",
        metadata: { name: "batch", namespace: "ai" },
        spec: { poolRef: { name: "chat-v1" }, priority: -10 },
      },
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    ];
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
    const result = validate(["--file", file]);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      `${file}: 2 object(s) valid, 4 invalid`,
      "  ✗ networking.istio.io/v1/VirtualService ai/web: data/spec/http/0/route/0/weight must be integer",
      "  ✗ apps/v1/Deployment ai/web-v1: data/spec/replicas must be integer",
      "  ✗ karpenter.sh/v1/NodePool gpu: data/spec/disruption must have required property consolidateAfter, data/spec/disruption/consolidationPolicy must be equal to one of the allowed values",
      "  ✗ inference.networking.x-k8s.io/v1alpha2/InferenceObjective ai/chat: data/spec must have required property 'poolRef', data/spec/priority must be integer",
      "  no schema for: example.com/v1/Widget",
      "",
    ]);
  });

  it("passes every object of every committed stack, with no kind left uncovered", () => {
    const result = validate();
    expect(result.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^stack dev: \d+ object\(s\) valid, 0 invalid$/m);
    expect(result.stdout).toMatch(/^stack local: \d+ object\(s\) valid, 0 invalid$/m);
    expect(result.stdout).not.toContain("no schema for");
  });
});
