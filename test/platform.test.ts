import { deploy, type RunResult } from "../plan/engine";
import { readStackFile } from "../cli/stackFile";
import { at, dependsOn, kubernetesObjects, ofType, one } from "../plan/query";
import type { RecordedResource } from "../plan/recorder";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";
const DESTINATION_RULE = "kubernetes:networking.istio.io/v1:DestinationRule";
const AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const GATEWAY_PRINCIPAL = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway";
const APPS = ["web", "image-processor", "object-detector"];

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- Kubernetes objects as recorded
const spec = (r: RecordedResource): Json => r.inputs.spec;
const named = (resources: RecordedResource[], type: string, name: string) =>
  ofType(resources, type).find((r) => at(r.inputs, "metadata.name") === name)!;
const container = (deployment: RecordedResource): Json => spec(deployment).template.spec.containers[0];

describe("AiPlatform (dev stack)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });
  /** The HTTP services' Deployments (model servers are an llm service's, see llm.test.ts). */
  const httpDeployments = () =>
    ofType(run.resources, DEPLOYMENT).filter((d) => APPS.includes(String(at(d.inputs, "metadata.labels.app"))));

  it("creates the application namespace with sidecar injection, after istiod", () => {
    const namespace = one(run.resources, "kubernetes:core/v1:Namespace", "platform-namespace");
    expect(at(namespace.inputs, "metadata.name")).toBe("ai");
    expect(at(namespace.inputs, "metadata.labels")).toMatchObject({ "istio-injection": "enabled" });
    expect(dependsOn(namespace, one(run.resources, "kubernetes:helm.sh/v3:Release", "mesh-istiod"))).toBe(true);
  });

  it("denies everything by default with an allow-nothing policy", () => {
    expect(named(run.resources, AUTHZ, "allow-nothing").inputs).toEqual({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: "allow-nothing", namespace: "ai" },
      spec: {},
    });
  });

  it("uses exactly the configured weights in every VirtualService, edge route included", () => {
    const weights = (name: string) =>
      Object.fromEntries(
        spec(named(run.resources, VIRTUAL_SERVICE, name)).http[0].route.map((d: Json) => [
          d.destination.subset,
          d.weight,
        ]),
      );
    expect(weights("web")).toEqual({ v1: 100 });
    expect(weights("image-processor")).toEqual({ v1: 80, v2: 20 });
    expect(weights("object-detector")).toEqual({ v1: 90, v2: 10, v3: 0 });
    expect(weights("edge-to-web")).toEqual({ v1: 100 });
    expect(run.outputs.canaryWeights).toEqual({
      web: { v1: 100 },
      imageProcessor: { v1: 80, v2: 20 },
      objectDetector: { v1: 90, v2: 10, v3: 0 },
      // The model's weights are in its HTTPRoute (llm.test.ts).
      chat: { v1: 90, v2: 10 },
    });
  });

  it("has a DestinationRule subset for every Deployment's version label, and nothing else", () => {
    for (const app of APPS) {
      const subsets = spec(named(run.resources, DESTINATION_RULE, app)).subsets.map((s: Json) => s.labels.version);
      const versions = ofType(run.resources, DEPLOYMENT)
        .filter((d) => at(d.inputs, "metadata.labels.app") === app)
        .map((d) => spec(d).template.metadata.labels.version);
      expect(subsets).toEqual(versions);
      expect(spec(named(run.resources, DESTINATION_RULE, app)).trafficPolicy.tls).toEqual({ mode: "ISTIO_MUTUAL" });
    }
  });

  it("creates each VirtualService after its DestinationRule", () => {
    for (const app of APPS) {
      expect(dependsOn(named(run.resources, VIRTUAL_SERVICE, app), named(run.resources, DESTINATION_RULE, app))).toBe(
        true,
      );
    }
  });

  it("allows each service exactly its callers from the call graph, by principal, method, path and port", () => {
    const rules = (app: string) => spec(named(run.resources, AUTHZ, `${app}-allow-callers`));
    expect(rules("web")).toEqual({
      selector: { matchLabels: { app: "web" } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: [GATEWAY_PRINCIPAL] } }],
          to: [{ operation: { methods: ["GET", "POST"], paths: ["/*"], ports: ["8080"] } }],
        },
      ],
    });
    expect(rules("image-processor").rules).toEqual([
      {
        from: [{ source: { principals: ["cluster.local/ns/ai/sa/web"] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/process"], ports: ["8080"] } }],
      },
    ]);
    expect(rules("object-detector").rules).toEqual([
      {
        from: [{ source: { principals: ["cluster.local/ns/ai/sa/web"] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/detect"], ports: ["8080"] } }],
      },
    ]);
  });

  it("runs every workload hardened: own SA, non-root, read-only root, no escalation, drop ALL, seccomp, probes, limits", () => {
    // Model servers are checked the same way, with their own port and storage, in llm.test.ts.
    for (const deployment of httpDeployments()) {
      const pod = spec(deployment).template.spec;
      const app = spec(deployment).template.metadata.labels.app;
      expect(pod.serviceAccountName).toBe(app);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(container(deployment).securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(Object.keys(container(deployment).resources.requests)).toEqual(["cpu", "memory"]);
      expect(container(deployment).resources.limits.memory).toBeDefined();
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        expect(container(deployment)[probe].httpGet.port).toBe("http");
      }
      expect(container(deployment).volumeMounts).toEqual(
        expect.arrayContaining([
          { name: "tmp", mountPath: "/tmp" },
          { name: "model-cache", mountPath: "/models" },
        ]),
      );
      expect(pod.topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
      expect(spec(deployment).template.metadata.labels).toMatchObject({
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": "ai-mesh",
      });
      // Metrics merging: the sidecar serves the app's /metrics with Envoy's on :15020.
      expect(spec(deployment).template.metadata.annotations).toEqual({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "8080",
        "prometheus.io/path": "/metrics",
      });
    }
    expect(
      ofType(run.resources, "kubernetes:core/v1:ServiceAccount").map((s) => at(s.inputs, "metadata.name")),
    ).toEqual([...APPS, "chat"]);
  });

  it("puts object-detector on GPUs: limit, toleration, selector, /dev/shm and a 10-minute startup budget", () => {
    const detector = named(run.resources, DEPLOYMENT, "object-detector-v1");
    const pod = spec(detector).template.spec;
    expect(container(detector).resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(container(detector).resources.requests["nvidia.com/gpu"]).toBeUndefined();
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(pod.volumes).toContainEqual({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } });
    expect(container(detector).startupProbe).toEqual({
      httpGet: { path: "/healthz", port: "http" },
      periodSeconds: 10,
      failureThreshold: 60,
    });
    const web = named(run.resources, DEPLOYMENT, "web-v1");
    expect(spec(web).template.spec.tolerations).toBeUndefined();
    expect(container(web).resources.limits["nvidia.com/gpu"]).toBeUndefined();
  });

  it("adds PDBs, one HPA per version and local rate limits where configured", () => {
    expect(spec(named(run.resources, "kubernetes:policy/v1:PodDisruptionBudget", "web"))).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { app: "web" } },
    });
    const hpa = (name: string) => spec(named(run.resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name));
    expect(hpa("object-detector-v1")).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "object-detector-v1" },
      minReplicas: 1,
      maxReplicas: 3,
    });
    // The canary and the mirror target run their own, smaller ranges.
    expect([hpa("object-detector-v2").maxReplicas, hpa("object-detector-v3").maxReplicas]).toEqual([2, 1]);
    // The services' own (the LLM gateway's per-client limit is in llm-gateway, tested with it).
    const filters = ofType(run.resources, "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter").filter(
      (f) => (f.inputs.metadata as Json).namespace === "ai",
    );
    expect(filters.map((f) => spec(f).workloadSelector.labels.app)).toEqual(["web", "object-detector"]);
    // Anchored before the router (always last, so the anchor exists), at a set priority (no IST0151).
    expect(filters.map((f) => spec(f).priority)).toEqual([10, 10]);
    expect(spec(filters[1]).configPatches[0].match.listener.filterChain.filter).toEqual({
      name: "envoy.filters.network.http_connection_manager",
      subFilter: { name: "envoy.filters.http.router" },
    });
    expect(spec(filters[1]).configPatches[0].patch.operation).toBe("INSERT_BEFORE");
    expect(spec(filters[1]).configPatches[0].patch.value.typed_config.token_bucket).toEqual({
      max_tokens: 100,
      tokens_per_fill: 50,
      fill_interval: "1s",
    });
  });

  it("makes the model's hosts known to the mesh for object-detector only of the HTTP services (REGISTRY_ONLY)", () => {
    const entries = ofType(run.resources, "kubernetes:networking.istio.io/v1:ServiceEntry").filter(
      (entry) => entry.inputs.metadata && at(entry.inputs, "metadata.name") !== "chat-egress",
    );
    expect(entries.map((entry) => entry.inputs)).toEqual([
      {
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: {
          name: "object-detector-egress",
          namespace: "ai",
          labels: {
            app: "object-detector",
            "app.kubernetes.io/name": "object-detector",
            "app.kubernetes.io/part-of": "ai-mesh",
            "app.kubernetes.io/managed-by": "pulumi",
          },
        },
        spec: {
          hosts: ["github.com", "media.githubusercontent.com"],
          exportTo: ["."],
          location: "MESH_EXTERNAL",
          resolution: "DNS",
          ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        },
      },
    ]);
    expect(entries[0].parent).toBe(one(run.resources, "ai-mesh:index:AiService", "platform-object-detector").urn);
  });

  it("binds a Gateway to the ingress gateway and routes the configured hosts to web", () => {
    expect(spec(named(run.resources, "kubernetes:networking.istio.io/v1:Gateway", "edge"))).toEqual({
      selector: { istio: "ingressgateway" },
      // TLS ends at the NLB: port 80 only redirects, 443 (the gateway's 8443) serves.
      servers: [
        {
          port: { number: 80, name: "http", protocol: "HTTP" },
          hosts: ["ai.dev.example.com"],
          tls: { httpsRedirect: true },
        },
        { port: { number: 443, name: "https", protocol: "HTTP" }, hosts: ["ai.dev.example.com"] },
      ],
    });
    const edge = spec(named(run.resources, VIRTUAL_SERVICE, "edge-to-web"));
    expect(edge.hosts).toEqual(["ai.dev.example.com"]);
    expect(edge.gateways).toEqual(["ai/edge"]);
    expect(edge.http[0].route[0].destination.host).toBe("web.ai.svc.cluster.local");
    // Only the 443 server routes: port 80 keeps nothing but its redirect.
    expect(edge.http.map((route: Json) => route.match)).toEqual([[{ port: 443 }]]);
    expect(run.outputs.webUrl).toBe("https://ai.dev.example.com/");
  });

  it("does not require JWT at the web edge unless configured (the dev stack asks it at the LLM gateway only)", () => {
    const auth = ofType(run.resources, "kubernetes:security.istio.io/v1:RequestAuthentication");
    expect(auth.map((r) => at(r.inputs, "metadata.namespace"))).toEqual(["llm-gateway"]);
  });
});

describe("AiPlatform variations", () => {
  it("changing only weights changes only VirtualService inputs", async () => {
    const before = await deploy();
    const services = readStackFile("dev").config["ai-mesh:services"] as { objectDetector: { versions: Json[] } };
    const versions = services.objectDetector.versions.map((v, i) => ({ ...v, weight: [40, 60, 0][i] }));
    const after = await deploy({ config: { "ai-mesh:services": { objectDetector: { versions } } } });
    const inputs = (r: RunResult) => new Map(r.resources.map((x) => [x.urn, JSON.stringify(x.inputs)]));
    const a = inputs(before);
    const b = inputs(after);
    expect([...b.keys()]).toEqual([...a.keys()]);
    const changed = [...a.keys()].filter((urn) => a.get(urn) !== b.get(urn));
    expect(changed).toEqual([
      "urn:pulumi:dev::ai-mesh::ai-mesh:index:AiService$kubernetes:networking.istio.io/v1:VirtualService::platform-object-detector-vs",
    ]);
  });

  it("takes the call graph from config", async () => {
    const run = await deploy({
      config: {
        "ai-mesh:callGraph": [
          { from: "ingressGateway", to: "web", methods: ["GET"], paths: ["/", "/static/*"] },
          { from: "web", to: "imageProcessor", methods: ["POST"], paths: ["/process"] },
          { from: "imageProcessor", to: "objectDetector", methods: ["POST"], paths: ["/detect"] },
        ],
      },
    });
    const rules = (app: string) => spec(named(run.resources, AUTHZ, `${app}-allow-callers`)).rules;
    expect(rules("object-detector")[0].from).toEqual([
      { source: { principals: ["cluster.local/ns/ai/sa/image-processor"] } },
    ]);
    expect(rules("web")[0].to).toEqual([
      { operation: { methods: ["GET"], paths: ["/", "/static/*"], ports: ["8080"] } },
    ]);
  });

  it("runs object-detector without GPU limits, tolerations or selectors in existing mode with gpu off", async () => {
    const run = await deploy({ stack: "local" });
    for (const version of ["v1", "v2", "v3"]) {
      const detector = named(run.resources, DEPLOYMENT, `object-detector-${version}`);
      const pod = spec(detector).template.spec;
      expect(container(detector).resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
      expect(pod.tolerations).toBeUndefined();
      expect(pod.nodeSelector).toBeUndefined();
      expect(pod.volumes.map((v: Json) => v.name)).toEqual(["tmp", "model-cache"]);
    }
  });

  it("requires a JWT at the edge when configured: RequestAuthentication plus DENY without a principal", async () => {
    const jwt = {
      issuer: "https://auth.example.com/",
      jwksUri: "https://auth.example.com/.well-known/jwks.json",
      audiences: ["ai-mesh"],
    };
    const run = await deploy({ config: { "ai-mesh:istio": { ingress: { jwt } } } });
    const auth = one(run.resources, "kubernetes:security.istio.io/v1:RequestAuthentication", "platform-edge-jwt");
    expect(auth.inputs).toMatchObject({
      metadata: { name: "edge-jwt", namespace: "istio-ingress" },
      spec: {
        selector: { matchLabels: { istio: "ingressgateway" } },
        jwtRules: [{ issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: ["ai-mesh"], forwardOriginalToken: true }],
      },
    });
    expect(spec(one(run.resources, AUTHZ, "platform-edge-require-jwt"))).toEqual({
      selector: { matchLabels: { istio: "ingressgateway" } },
      action: "DENY",
      // Port 80 only redirects to https (TLS at the NLB): a request there needs no token to learn that.
      rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notPorts: ["80"] } }] }],
    });
  });

  it("names every Kubernetes object explicitly, so nothing is auto-named", async () => {
    const run = await deploy();
    for (const object of kubernetesObjects(run.resources)) {
      expect({ name: object.name, metadataName: at(object.inputs, "metadata.name") }).toEqual({
        name: object.name,
        metadataName: expect.any(String),
      });
    }
  });
});
