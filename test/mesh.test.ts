import { deploy, type RunResult } from "../plan/engine";
import { byUrn, dependsOn, ofType, one } from "../plan/query";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("ServiceMesh (dev stack)", () => {
  let run: RunResult;
  const release = (name: string) => one(run.resources, RELEASE, `mesh-${name}`);
  beforeAll(async () => {
    run = await deploy();
  });

  it("installs base, istiod and gateway from istio-release at one pinned version", () => {
    for (const [name, chart] of [
      ["base", "base"],
      ["istiod", "istiod"],
      ["gateway", "gateway"],
    ]) {
      expect(release(name).inputs).toMatchObject({
        chart,
        version: "1.30.3",
        repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
      });
      expect(byUrn(run.resources, release(name).parent)?.type).toBe("ai-mesh:index:ServiceMesh");
    }
    expect(release("base").inputs).toMatchObject({ namespace: "istio-system", values: { defaultRevision: "default" } });
    expect(release("istiod").inputs).toMatchObject({ namespace: "istio-system", skipAwait: false, timeout: 600 });
    expect(release("gateway").inputs).toMatchObject({ name: "istio-ingressgateway", namespace: "istio-ingress" });
  });

  it("chains base → istiod → gateway, after the nodes exist", () => {
    expect(dependsOn(release("istiod"), release("base"))).toBe(true);
    expect(dependsOn(release("gateway"), release("istiod"))).toBe(true);
    const systemNamespace = one(run.resources, "kubernetes:core/v1:Namespace", "mesh-istio-system");
    expect(dependsOn(release("base"), systemNamespace)).toBe(true);
    expect(dependsOn(systemNamespace, one(run.resources, "aws:eks/nodeGroup:NodeGroup", "nodes-system"))).toBe(true);
  });

  it("configures istiod: autoscaling, access logs, outbound policy and the OTLP tracing provider", () => {
    expect(release("istiod").inputs.values).toEqual({
      // The stack serves an LLM: the inference extension on, pickers and router left uninjected.
      env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" },
      sidecarInjectorWebhook: {
        neverInjectSelector: [
          { matchExpressions: [{ key: "inferencepool", operator: "Exists" }] },
          { matchLabels: { app: "body-based-router" } },
        ],
      },
      revision: "",
      autoscaleEnabled: true,
      autoscaleMin: 1,
      autoscaleMax: 3,
      resources: { requests: { cpu: "500m", memory: "2Gi" } },
      // Every sidecar's requests, stated so the capacity check counts what the scheduler will.
      global: {
        proxy: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } } },
      },
      meshConfig: {
        accessLogFile: "/dev/stdout",
        accessLogEncoding: "JSON",
        enableTracing: false,
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
        defaultConfig: { holdApplicationUntilProxyStarts: true },
        extensionProviders: [
          {
            name: "otel-tracing",
            opentelemetry: { service: "jaeger-collector.monitoring.svc.cluster.local", port: 4317 },
          },
        ],
      },
    });
  });

  it("exposes the gateway as an NLB with autoscaling and a PDB", () => {
    const values = release("gateway").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(values.service.type).toBe("LoadBalancer");
    expect(values.service.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
      // TLS at the NLB with the stack's ACM certificate, TLS 1.2+ only, plain TCP on to the gateway.
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert":
        "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000001",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
    });
    // No status port on the internet: the NLB checks targets on the traffic port.
    expect(values.service.ports).toEqual([
      { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
      { name: "https", port: 443, protocol: "TCP", targetPort: 8443 },
    ]);
    expect(values.autoscaling).toEqual({
      enabled: true,
      minReplicas: 2,
      maxReplicas: 4,
      targetCPUUtilizationPercentage: 70,
    });
    const pdb = one(run.resources, "kubernetes:policy/v1:PodDisruptionBudget", "mesh-gateway");
    expect(pdb.inputs).toMatchObject({
      metadata: { name: "istio-ingressgateway", namespace: "istio-ingress" },
      spec: { maxUnavailable: 1, selector: { matchLabels: { istio: "ingressgateway" } } },
    });
    expect(dependsOn(pdb, release("gateway"))).toBe(true);
  });

  it("has no gateway PDB with a single gateway replica, which would block every node drain", async () => {
    const local = await deploy({ stack: "local" });
    expect(one(local.resources, RELEASE, "mesh-gateway").inputs.values).toMatchObject({
      autoscaling: { minReplicas: 1 },
    });
    expect(ofType(local.resources, "kubernetes:policy/v1:PodDisruptionBudget").map((r) => r.name)).not.toContain(
      "mesh-gateway",
    );
  });

  it("enforces STRICT mTLS mesh-wide, after istiod", () => {
    const peer = one(run.resources, "kubernetes:security.istio.io/v1:PeerAuthentication");
    expect(peer.inputs).toEqual({
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "istio-system" },
      spec: { mtls: { mode: "STRICT" } },
    });
    expect(dependsOn(peer, release("istiod"))).toBe(true);
  });

  it("turns on tracing with the configured sampling percentage through the Telemetry API", () => {
    const telemetry = one(run.resources, "kubernetes:telemetry.istio.io/v1:Telemetry");
    expect(telemetry.inputs).toMatchObject({
      metadata: { name: "mesh-default", namespace: "istio-system" },
      spec: { tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 10 }] },
    });
    expect(dependsOn(telemetry, release("istiod"))).toBe(true);
  });

  it("exports the mesh root and ingress namespaces", () => {
    expect(run.outputs).toMatchObject({ meshRootNamespace: "istio-system", ingressNamespace: "istio-ingress" });
  });
});

describe("ServiceMesh options", () => {
  it("terminates TLS on the NLB with an ACM certificate, internal scheme, and a control-plane revision", async () => {
    const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";
    const run = await deploy({
      config: { "ai-mesh:istio": { revision: "1-30-3", ingress: { certificateArn, scheme: "internal" } } },
    });
    const gateway = one(run.resources, RELEASE, "mesh-gateway").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(gateway.service.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn,
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
    });
    expect(gateway.service.ports).toContainEqual({ name: "https", port: 443, protocol: "TCP", targetPort: 8443 });
    expect(gateway.revision).toBe("1-30-3");
    expect(one(run.resources, RELEASE, "mesh-istiod").inputs).toMatchObject({
      name: "istiod-1-30-3",
      values: { revision: "1-30-3" },
    });
    expect(one(run.resources, RELEASE, "mesh-base").inputs.values).toEqual({ defaultRevision: "1-30-3" });
    const appNamespace = one(run.resources, "kubernetes:core/v1:Namespace", "platform-namespace");
    expect((appNamespace.inputs.metadata as { labels: Record<string, string> }).labels["istio.io/rev"]).toBe("1-30-3");
    expect(run.outputs.webUrl).toBe("https://ai.dev.example.com/");
  });
});
