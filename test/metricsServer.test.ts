// The metrics API every HPA reads CPU from: metrics-server from its pinned chart, on the system nodes
// in EKS, before any HPA; skipped when the stack says the cluster has one.
import { deploy, type RunResult } from "../plan/engine";
import { byUrn, dependsOn, ofType, one } from "../plan/query";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

describe("metrics-server on EKS (dev)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });

  it("installs the pinned chart in kube-system: two replicas spread over nodes, a PDB, on the system nodes", () => {
    const release = one(run.resources, RELEASE, "metrics-server");
    expect(release.inputs).toMatchObject({
      name: "metrics-server",
      chart: "metrics-server",
      version: "3.12.2",
      repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" },
      namespace: "kube-system",
      skipAwait: false,
    });
    expect(release.inputs.values).toEqual({
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      resources: { requests: { cpu: "100m", memory: "200Mi" } },
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: {
            matchLabels: { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": "metrics-server" },
          },
        },
      ],
      nodeSelector: { "ai-mesh/node-role": "system" },
    });
    expect(byUrn(run.resources, release.parent)?.type).toBe("ai-mesh:index:MetricsServer");
    expect(dependsOn(release, one(run.resources, "aws:eks/nodeGroup:NodeGroup", "nodes-system"))).toBe(true);
  });

  it("is deleted no later than the stack's namespaces (a namespace cannot terminate past an unavailable APIService)", () => {
    // Pulumi deletes in reverse dependency depth (ScheduleDeletes): the deeper, the sooner.
    const depth = new Map<string, number>();
    const depthOf = (urn: string): number => {
      if (!depth.has(urn)) {
        const resource = byUrn(run.resources, urn)!;
        const deps = [...resource.dependencies, ...(resource.parent ? [resource.parent] : [])];
        depth.set(urn, deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depthOf)));
      }
      return depth.get(urn)!;
    };
    const release = depthOf(one(run.resources, RELEASE, "metrics-server").urn);
    for (const namespace of ofType(run.resources, "kubernetes:core/v1:Namespace")) {
      expect([namespace.name, depthOf(namespace.urn) <= release]).toEqual([namespace.name, true]);
    }
  });

  it("makes every HPA wait for it: an HPA without the metrics API never scales", () => {
    const release = one(run.resources, RELEASE, "metrics-server");
    const hpas = ofType(run.resources, HPA);
    expect(hpas.length).toBe(6);
    for (const hpa of hpas) expect(dependsOn(hpa, release)).toBe(true);
  });
});

describe("metrics-server on an existing cluster", () => {
  it("installs it on kind without node selector, skipping kubelet TLS verification as the local stack says", async () => {
    const run = await deploy({ stack: "local" });
    const values = one(run.resources, RELEASE, "metrics-server").inputs.values as Record<string, unknown>;
    expect(values.args).toEqual(["--kubelet-insecure-tls"]);
    expect(values.nodeSelector).toBeUndefined();
  });

  it("installs nothing when the cluster has one (metricsServer: present), and the HPAs wait for nothing extra", async () => {
    const run = await deploy({ stack: "local", config: { "ai-mesh:cluster": { metricsServer: "present" } } });
    expect(ofType(run.resources, "ai-mesh:index:MetricsServer")).toEqual([]);
    expect(ofType(run.resources, RELEASE).map((r) => r.name)).not.toContain("metrics-server");
    for (const hpa of ofType(run.resources, HPA)) {
      expect(hpa.dependencies.map((urn) => urn.split("::").pop())).not.toContain("metrics-server");
    }
  });

  it("refuses anything but install or present", async () => {
    const run = await deploy({ stack: "local", config: { "ai-mesh:cluster": { metricsServer: "maybe" } } }).catch(
      (error: Error) => error,
    );
    expect((run as Error).message).toBe(
      'Invalid stack config (1 problem):\n  - cluster.metricsServer: Invalid option: expected one of "install"|"present" (got "maybe")',
    );
  });
});
