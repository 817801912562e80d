// LLM serving through the program, dev stack (vLLM on GPUs) and local stack (the simulator): the
// CRDs, the gateway, the routes, the pools and pickers, the model servers, scaling, security.
import { deploy, type RunOptions, type RunResult } from "../plan/engine";
import { at, dependsOn, ofType, one } from "../plan/query";
import type { RecordedResource } from "../plan/recorder";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded inputs

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const REVISION = "0e9e39f249a16976918f6564b8830bc894c89659";
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

const spec = (r: RecordedResource): Json => r.inputs.spec;
const named = (run: RunResult, type: string, name: string) =>
  ofType(run.resources, type).find((r) => at(r.inputs, "metadata.name") === name) ??
  (() => {
    throw new Error(`no ${type} named ${name}`);
  })();
const container = (d: RecordedResource): Json => spec(d).template.spec.containers[0];

describe("LLM serving (dev stack)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });

  it("installs the Gateway API (standard) and Inference Extension CRDs, pinned, before istiod", () => {
    const crds = ofType(run.resources, "kubernetes:yaml/v2:ConfigFile");
    expect(crds.map((c) => c.inputs.file)).toEqual([
      "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
      "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/v1.4.0/manifests.yaml",
    ]);
    const istiod = one(run.resources, RELEASE, "mesh-istiod");
    for (const crd of crds) expect(dependsOn(istiod, crd)).toBe(true);
    expect((istiod.inputs.values as Json).env).toEqual({ ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" });
  });

  it("runs the LLM gateway as its own Istio gateway deployment, sized and exposed like the ingress gateway", () => {
    const release = one(run.resources, RELEASE, "inference-gateway-deployment");
    expect(release.inputs).toMatchObject({
      name: "llm-gateway",
      chart: "gateway",
      version: "1.30.3",
      namespace: "llm-gateway",
      skipAwait: false,
    });
    const values = release.inputs.values as Json;
    // istiod gives the pickers' ext_proc filter only to pods labelled with the name of the Gateway
    // their InferencePools attach to, in its namespace (Istio 1.30.3 listener_builder.go).
    expect(values.labels).toEqual({ istio: "llm-gateway", "gateway.networking.k8s.io/gateway-name": "llm" });
    const gateway = named(run, GATEWAY, "llm");
    expect(at(gateway.inputs, "metadata.namespace")).toBe(release.inputs.namespace);
    expect(values.autoscaling).toMatchObject({ enabled: true, minReplicas: 2, maxReplicas: 4 });
    expect(values.service.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
    expect(
      spec(one(run.resources, "kubernetes:policy/v1:PodDisruptionBudget", "inference-gateway-deployment")),
    ).toEqual({ maxUnavailable: 1, selector: { matchLabels: { istio: "llm-gateway" } } });
    expect(
      at(one(run.resources, "kubernetes:core/v1:Namespace", "inference-gateway-namespace").inputs, "metadata.labels"),
    ).toMatchObject({ "istio-injection": "enabled" });
  });

  it("links a Gateway API Gateway to that deployment, taking routes from the services namespace only", () => {
    const gateway = named(run, GATEWAY, "llm");
    expect(gateway.inputs.metadata).toEqual({ name: "llm", namespace: "llm-gateway" });
    expect(spec(gateway)).toEqual({
      gatewayClassName: "istio",
      addresses: [{ type: "Hostname", value: "llm-gateway.llm-gateway.svc.cluster.local" }],
      // TLS at the NLB: 443 takes the model routes, and there is no port 80 to listen on.
      listeners: [
        {
          name: "https",
          port: 443,
          protocol: "HTTP",
          hostname: "llm.dev.example.com",
          allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "ai" } } },
          },
        },
      ],
    });
    expect(dependsOn(gateway, one(run.resources, RELEASE, "inference-gateway-deployment"))).toBe(true);
    for (const crd of ofType(run.resources, "kubernetes:yaml/v2:ConfigFile"))
      expect(dependsOn(gateway, crd)).toBe(true);
    expect(run.outputs.llmGatewayUrl).toBe("https://llm.dev.example.com/");
  });

  it("routes the model's name, copied from the body by the router, to its versions' pools by weight", () => {
    const route = named(run, HTTP_ROUTE, "chat");
    expect(spec(route)).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm", namespace: "llm-gateway" }],
      rules: [
        {
          matches: [
            {
              path: { type: "PathPrefix", value: "/v1/" },
              headers: [{ type: "Exact", name: "X-Gateway-Model-Name", value: MODEL }],
            },
          ],
          backendRefs: [
            // The stable pool last: Istio 1.30.3 gives the rule the last backendRef's picker (conversion.go).
            { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v2", weight: 10 },
            { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v1", weight: 90 },
          ],
          timeouts: { request: "300s" },
        },
      ],
    });
    // Pools (and the Gateway) before the route that names them; the model servers too, so pulumi up
    // gives a new version weight only once its Deployment is ready.
    for (const pool of ["platform-chat-v1-pool", "platform-chat-v2-pool"]) {
      expect(dependsOn(route, one(run.resources, RELEASE, pool))).toBe(true);
    }
    for (const server of ["platform-chat-v1", "platform-chat-v2"]) {
      expect(dependsOn(route, one(run.resources, DEPLOYMENT, server))).toBe(true);
    }
    expect(dependsOn(route, named(run, GATEWAY, "llm"))).toBe(true);
    const router = one(run.resources, RELEASE, "inference-gateway-body-based-routing");
    expect(router.inputs).toMatchObject({
      name: "body-based-router",
      chart: "oci://registry.k8s.io/gateway-api-inference-extension/charts/body-based-routing",
      version: "v1.4.0",
      namespace: "llm-gateway",
    });
    expect(router.inputs.values).toEqual({
      // No --plugin: v1.4.0's router does not know the chart's default-bbr (cmd/bbr/runner/runner.go).
      bbr: { replicas: 2, image: { pullPolicy: "IfNotPresent" }, plugins: [] },
      provider: { name: "istio" },
    });
  });

  it("installs a pool and its endpoint picker per version from the pinned inferencepool chart", () => {
    const pool = one(run.resources, RELEASE, "platform-chat-v1-pool");
    expect(pool.inputs).toMatchObject({
      name: "chat-v1",
      chart: "oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool",
      version: "v1.4.0",
      namespace: "ai",
      skipAwait: false,
    });
    expect(pool.inputs.values).toEqual({
      inferencePool: {
        targetPorts: [{ number: 8000 }],
        modelServerType: "vllm",
        modelServers: { matchLabels: { app: "chat", version: "v1" } },
      },
      inferenceExtension: {
        replicas: 1,
        failureMode: "FailClose",
        image: { pullPolicy: "IfNotPresent" },
        resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        pluginsConfigFile: "ai-mesh-plugins.yaml",
        pluginsCustomConfig: { "ai-mesh-plugins.yaml": expect.stringContaining("kind: EndpointPickerConfig") },
        // No metric-name flags: the v1.4.0 picker refuses them (pkg/epp/server/options.go, Validate).
        flags: {
          v: 1,
          "model-server-metrics-port": 15020,
          "model-server-metrics-path": "/stats/prometheus",
        },
        monitoring: {
          interval: "15s",
          prometheus: { enabled: true, auth: { enabled: true, secretName: "chat-v1-epp-metrics-reader" } },
        },
      },
      provider: { name: "istio" },
    });
  });

  it("gives the model an InferenceObjective with its priority, in its heaviest version's pool", () => {
    const objective = named(run, "kubernetes:inference.networking.x-k8s.io/v1alpha2:InferenceObjective", "chat");
    expect(objective.inputs).toMatchObject({
      apiVersion: "inference.networking.x-k8s.io/v1alpha2",
      kind: "InferenceObjective",
      metadata: { name: "chat", namespace: "ai" },
    });
    // The route's picker is chat-v1's (90/10, listed last); it reads only objectives whose poolRef names its
    // pool (GIE v1.4.0 inferenceobjective_reconciler.go).
    expect(spec(objective)).toEqual({
      poolRef: { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v1" },
      priority: 0,
    });
    for (const pool of ["platform-chat-v1-pool", "platform-chat-v2-pool"]) {
      expect(dependsOn(objective, one(run.resources, RELEASE, pool))).toBe(true);
    }
  });

  it("runs vLLM pinned to the model's commit, under its name, sized as the GPU memory check assumed", () => {
    const v1 = container(named(run, DEPLOYMENT, "chat-v1"));
    expect(v1.image).toBe("vllm/vllm-openai:v0.24.0");
    expect(v1.command).toEqual(["vllm"]);
    expect(v1.args).toEqual([
      "serve",
      MODEL,
      "--served-model-name",
      MODEL,
      "--port",
      "8000",
      "--tensor-parallel-size",
      "1",
      "--max-model-len",
      "8192",
      "--gpu-memory-utilization",
      "0.9",
      // kvCacheGiB 3 on one GPU, in bytes.
      "--kv-cache-memory-bytes",
      "3221225472",
      "--dtype",
      "bfloat16",
      "--revision",
      REVISION,
      "--tokenizer-revision",
      REVISION,
    ]);
    expect(v1.env).toContainEqual({ name: "HF_HOME", value: "/models/huggingface" });
    expect(v1.env).toContainEqual({
      name: "HF_TOKEN",
      valueFrom: { secretKeyRef: { name: "hf-token", key: "token" } },
    });
    expect(v1.resources).toEqual({
      // The compile caches only: the weights live in the GPU node's cache, not in ephemeral storage.
      requests: { cpu: "3", memory: "12Gi", "ephemeral-storage": "4Gi" },
      limits: { cpu: "4", memory: "14Gi", "nvidia.com/gpu": "1" },
    });
    expect(container(named(run, DEPLOYMENT, "chat-v2")).image).toBe("vllm/vllm-openai:v0.27.1");
  });

  it("gives a model server the hardened pod, a long startup, a drain before stopping, and GPUs that hold it", () => {
    const deployment = named(run, DEPLOYMENT, "chat-v1");
    const pod = spec(deployment).template.spec;
    const server = container(deployment);
    // The same hardening as every workload (platform.test.ts states it).
    const web = named(run, DEPLOYMENT, "web-v1");
    expect(server.securityContext).toEqual(container(web).securityContext);
    expect(pod.securityContext).toEqual(spec(web).template.spec.securityContext);
    expect(server.startupProbe).toEqual({
      httpGet: { path: "/health", port: "http" },
      periodSeconds: 10,
      failureThreshold: 180,
    });
    expect(server.livenessProbe.failureThreshold).toBe(6);
    // pulumi up waits as long as the startup probe allows, plus a node and an image (15 min), not the
    // provider's default 10 minutes: the model's route waits on this Deployment.
    expect((deployment.inputs.metadata as Json).annotations).toEqual({ "pulumi.com/timeoutSeconds": "2700" });
    expect(server.lifecycle).toEqual({ preStop: { sleep: { seconds: 30 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(130);
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    const types =
      pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
    expect(types.key).toBe("node.kubernetes.io/instance-type");
    expect(types.values.slice(0, 2)).toEqual(["g5.xlarge", "g6.xlarge"]);
    expect(pod.volumes).toEqual([
      { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
      { name: "cache", emptyDir: { sizeLimit: "4Gi" } },
      { name: "model-cache", hostPath: { path: "/var/lib/ai-mesh/models", type: "Directory" } },
      { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } },
    ]);
    expect(spec(deployment).template.metadata).toEqual({
      labels: expect.objectContaining({ app: "chat", version: "v1", "ai-mesh.io/workload": "model-server" }),
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "8000", "prometheus.io/path": "/metrics" },
    });
    // KEDA owns the replica count.
    expect(spec(deployment).replicas).toBeUndefined();
  });

  it("starts vLLM as UID 10001 on a read-only root: a user name for getpass, every cache on a writable volume", () => {
    const deployment = named(run, DEPLOYMENT, "chat-v1");
    const pod = spec(deployment).template.spec;
    const server = container(deployment);
    expect([pod.securityContext.runAsUser, server.securityContext.readOnlyRootFilesystem]).toEqual([10001, true]);
    const env: Record<string, string> = Object.fromEntries(
      (server.env as { name: string; value?: string }[]).flatMap((e) => (e.value ? [[e.name, e.value]] : [])),
    );
    // vllm-project/vllm#44548: PyTorch's getpass.getuser() reads LOGNAME or USER before /etc/passwd.
    // The cache variables: vllm/envs.py (VLLM_*, XDG_*), vllm/compilation/compiler_interface.py
    // (TORCHINDUCTOR_CACHE_DIR, TRITON_CACHE_DIR), flashinfer/jit/env.py (FLASHINFER_WORKSPACE_BASE).
    expect(env).toEqual({
      USER: "vllm",
      LOGNAME: "vllm",
      HOME: "/cache",
      TMPDIR: "/tmp",
      XDG_CACHE_HOME: "/cache",
      XDG_CONFIG_HOME: "/cache/config",
      VLLM_CACHE_ROOT: "/cache/vllm",
      VLLM_CONFIG_ROOT: "/cache/config/vllm",
      VLLM_RPC_BASE_PATH: "/tmp",
      TORCHINDUCTOR_CACHE_DIR: "/cache/torchinductor",
      TRITON_CACHE_DIR: "/cache/triton",
      FLASHINFER_WORKSPACE_BASE: "/cache",
      CUDA_CACHE_PATH: "/cache/nv",
      HF_HOME: "/models/huggingface",
    });
    // Every path the environment names lies on a mounted volume the container may write.
    const mounts = server.volumeMounts as { name: string; mountPath: string; readOnly?: boolean }[];
    const volumes = new Map((pod.volumes as { name: string }[]).map((v) => [v.name, v]));
    for (const [name, path] of Object.entries(env).filter(([, v]) => v.startsWith("/"))) {
      const mount = mounts.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
      expect([name, mount?.readOnly ?? false, volumes.has(mount?.name ?? "")]).toEqual([name, false, true]);
    }
  });

  it("scales each version on its queue through KEDA, holding its replicas when Prometheus cannot answer", () => {
    const scaler = named(run, SCALED_OBJECT, "chat-v1");
    expect(spec(scaler)).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "chat-v1" },
      minReplicaCount: 1,
      maxReplicaCount: 2,
      pollingInterval: 15,
      cooldownPeriod: 300,
      fallback: { failureThreshold: 4, replicas: 1, behavior: "currentReplicasIfHigher" },
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: "chat-v1",
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
            scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
          },
        },
      },
      triggers: [
        {
          type: "prometheus",
          name: "waiting-requests",
          metricType: "AverageValue",
          metadata: {
            serverAddress: "http://kps-prometheus.monitoring.svc.cluster.local:9090",
            query: 'sum(vllm:num_requests_waiting{namespace="ai",app="chat",version="v1"})',
            threshold: "4",
            ignoreNullValues: "false",
          },
        },
      ],
    });
    expect(spec(named(run, SCALED_OBJECT, "chat-v2"))).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 1 });
    const keda = one(run.resources, RELEASE, "keda");
    expect(dependsOn(scaler, keda)).toBe(true);
    expect(keda.inputs).toMatchObject({ name: "keda", chart: "keda", version: "2.20.2", namespace: "keda" });
    expect((keda.inputs.values as Json).nodeSelector).toEqual({ "ai-mesh/node-role": "system" });
    // An APIService, like metrics-server's: after istiod (see index.ts), and in its own namespace.
    const namespace = one(run.resources, "kubernetes:core/v1:Namespace", "keda-namespace");
    expect(dependsOn(namespace, one(run.resources, RELEASE, "mesh-istiod"))).toBe(true);
    expect(dependsOn(keda, namespace)).toBe(true);
    // No CPU HPA of its own: two autoscalers would fight over the count.
    expect(
      ofType(run.resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) =>
        at(h.inputs, "metadata.name"),
      ),
    ).not.toContain("chat-v1");
  });

  it("admits the LLM gateway alone to the model servers, and fences the pickers and the router", () => {
    expect(spec(named(run, AUTHZ, "chat-allow-callers"))).toEqual({
      selector: { matchLabels: { app: "chat" } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: ["cluster.local/ns/llm-gateway/sa/llm-gateway"] } }],
          to: [{ operation: { methods: ["POST"], paths: ["/v1/*"], ports: ["8000"] } }],
        },
      ],
    });
    const gatewayPods = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "llm-gateway" } },
      podSelector: { matchLabels: { istio: "llm-gateway" } },
    };
    expect(spec(named(run, NETWORK_POLICY, "chat-picker-callers"))).toEqual({
      podSelector: {
        matchExpressions: [{ key: "inferencepool", operator: "In", values: ["chat-v1-epp", "chat-v2-epp"] }],
      },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [gatewayPods], ports: [{ protocol: "TCP", port: 9002 }] },
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
          ports: [{ protocol: "TCP", port: 9090 }],
        },
        { ports: [{ protocol: "TCP", port: 9003 }] },
      ],
    });
    expect(spec(named(run, NETWORK_POLICY, "body-based-router-callers"))).toEqual({
      podSelector: { matchLabels: { app: "body-based-router" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [gatewayPods], ports: [{ protocol: "TCP", port: 9004 }] }],
    });
    // Their charts declare no requests: a LimitRange in each namespace gives them some.
    const limits = ofType(run.resources, "kubernetes:core/v1:LimitRange");
    expect(limits.map((l) => at(l.inputs, "metadata.namespace")).sort()).toEqual(["ai", "llm-gateway"]);
    expect(spec(limits[0]).limits[0]).toEqual({
      type: "Container",
      defaultRequest: { cpu: "200m", memory: "256Mi" },
      default: { cpu: "2", memory: "1Gi" },
    });
    // The VPC CNI enforces them.
    expect(one(run.resources, "aws:eks/addon:Addon", "cluster-vpc-cni").inputs.configurationValues).toBe(
      '{"enableNetworkPolicy":"true"}',
    );
  });

  it("lets the model download from the hub hosts the stack lists (REGISTRY_ONLY)", () => {
    expect(spec(named(run, "kubernetes:networking.istio.io/v1:ServiceEntry", "chat-egress")).hosts).toEqual([
      "huggingface.co",
      "cdn-lfs.hf.co",
      "cdn-lfs-us-1.hf.co",
      "cas-bridge.xethub.hf.co",
    ]);
  });
});

/** Every Kubernetes resource's inputs, by URN. */
function inputsByUrn(run: RunResult): Map<string, string> {
  return new Map(run.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
}

describe("a batch model", () => {
  it("gets the priority its stack sets: negative, shed first when its servers are saturated", async () => {
    const run = await deploy({ config: { "ai-mesh:services": { chat: { priority: -10 } } } });
    const objective = named(run, "kubernetes:inference.networking.x-k8s.io/v1alpha2:InferenceObjective", "chat");
    expect(spec(objective).priority).toBe(-10);
  });
});

describe("a model canary", () => {
  it.each([
    // v1 stays the heaviest (a tie goes to the first declared).
    [50, 50, ["platform-chat-route"], "chat-v1"],
    // v2 becomes the stable version: the backendRefs reorder, and the priority follows its picker.
    [0, 100, ["platform-chat-objective", "platform-chat-route"], "chat-v2"],
    [40, 60, ["platform-chat-objective", "platform-chat-route"], "chat-v2"],
  ])(
    "changes the HTTPRoute (and the objective when the heaviest moves) and nothing else when only the weights change (v1 %i, v2 %i)",
    async (v1, v2, changes, pool) => {
      const before = inputsByUrn(await deploy());
      const weights: RunOptions["config"] = {
        "ai-mesh:services": {
          chat: {
            versions: [
              { name: "v1", image: "vllm/vllm-openai:v0.24.0", weight: v1 },
              { name: "v2", image: "vllm/vllm-openai:v0.27.1", weight: v2, replicas: { min: 1, max: 1 } },
            ],
          },
        },
      };
      const after = await deploy({ config: weights });
      const changed = after.resources
        .filter((r) => before.get(r.urn) !== JSON.stringify(r.inputs))
        .map((r) => r.name)
        .sort();
      // The capacity output and the dashboard know weights only as configured, not as routed.
      expect(changed).toEqual(changes);
      const objective = named(after, "kubernetes:inference.networking.x-k8s.io/v1alpha2:InferenceObjective", "chat");
      expect(spec(objective).poolRef.name).toBe(pool);
      expect(after.outputs.canaryWeights).toMatchObject({ chat: { v1, v2 } });
    },
  );
});

describe("weights from S3 (dev stack, EKS Pod Identity)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy({
      config: {
        "ai-mesh:services": { chat: { model: { source: "s3://models-corp/llama-3.1-8b/", revision: undefined } } },
      },
    });
  });

  it("syncs the prefix into the cache volume before vLLM starts, and serves it from there", () => {
    const pod = spec(named(run, DEPLOYMENT, "chat-v1")).template.spec;
    expect(pod.initContainers).toHaveLength(1);
    expect(pod.initContainers[0]).toMatchObject({
      name: "fetch-model",
      image: "amazon/aws-cli:2.27.9",
      command: [
        "aws",
        "s3",
        "sync",
        "s3://models-corp/llama-3.1-8b/",
        "/models/s3/models-corp/llama-3.1-8b",
        "--only-show-errors",
        "--no-progress",
      ],
    });
    expect(pod.containers[0].args.slice(0, 2)).toEqual(["serve", "/models/s3/models-corp/llama-3.1-8b"]);
    expect(pod.containers[0].args).not.toContain("--revision");
    // Pod Identity's agent answers on a link-local address the sidecar must not capture.
    expect(spec(named(run, DEPLOYMENT, "chat-v1")).template.metadata.annotations).toMatchObject({
      "traffic.sidecar.istio.io/excludeOutboundIPRanges": "169.254.170.23/32",
    });
  });

  it("reads only its prefix, with a role given to its ServiceAccount before its pods start", () => {
    const policy = JSON.parse(
      String(one(run.resources, "aws:iam/rolePolicy:RolePolicy", "model-access-chat").inputs.policy),
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "ReadModelObjects",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::models-corp/llama-3.1-8b/*"],
      },
      {
        Sid: "ListModelPrefix0",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: "arn:aws:s3:::models-corp",
        Condition: { StringLike: { "s3:prefix": ["llama-3.1-8b/*"] } },
      },
    ]);
    const association = one(
      run.resources,
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "model-access-chat",
    );
    expect(association.inputs).toMatchObject({ namespace: "ai", serviceAccount: "chat" });
    for (const version of ["chat-v1", "chat-v2"])
      expect(dependsOn(named(run, DEPLOYMENT, version), association)).toBe(true);
    expect(spec(named(run, "kubernetes:networking.istio.io/v1:ServiceEntry", "chat-egress")).hosts).toEqual(
      expect.arrayContaining(["models-corp.s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com"]),
    );
  });
});

describe("vLLM on an existing GPU cluster (its GPUs unknown to the program)", () => {
  it("sizes the cache volume for the model's checkpoint, as on EKS", async () => {
    const run = await deploy({
      stack: "local",
      config: {
        "ai-mesh:cluster": { gpu: true },
        "ai-mesh:services": {
          chat: {
            model: {
              server: "vllm",
              architecture: "meta-llama/Llama-3.1-70B-Instruct",
              kvCacheGiB: 4,
              revision: REVISION,
            },
            gpu: 1,
          },
        },
      },
    });
    const deployment = named(run, DEPLOYMENT, "chat-v1");
    // 70.6B × 2 bytes (bfloat16) = 131.5 GiB on disk, a tenth and 1 GiB on top.
    expect(spec(deployment).template.spec.volumes).toContainEqual({
      name: "model-cache",
      emptyDir: { sizeLimit: "146Gi" },
    });
    // The weights' emptyDir and 4 GiB of compile caches.
    expect(container(deployment).resources.requests["ephemeral-storage"]).toBe("150Gi");
  });
});

describe("LLM serving on a laptop (local stack, the simulator)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy({ stack: "local" });
  });

  it("runs the simulator on CPU: the model's name, vLLM's port and metrics, no GPU, no download, no tokenizer service", () => {
    const deployment = named(run, DEPLOYMENT, "chat-v1");
    const server = container(deployment);
    expect(server.image).toBe("ghcr.io/llm-d/llm-d-inference-sim:v0.10.2");
    expect(server.command).toBeUndefined();
    expect(server.args).toEqual([
      "--model",
      MODEL,
      // llm-d-inference-sim v0.10.2 pkg/common/parser.go: with a real hub name the simulator would
      // look it up on huggingface.co and tokenize through a render service on :8082 that is not there.
      "--force-dummy-tokenizer",
      "--served-model-name",
      MODEL,
      "--port",
      "8000",
      "--max-model-len",
      "8192",
      "--time-to-first-token",
      "200ms",
      "--inter-token-latency",
      "20ms",
    ]);
    expect(server.resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
    const pod = spec(deployment).template.spec;
    expect([pod.tolerations, pod.nodeSelector, pod.affinity, pod.initContainers]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("reaches the gateway on a NodePort, from any host", () => {
    expect((one(run.resources, RELEASE, "inference-gateway-deployment").inputs.values as Json).service.type).toBe(
      "NodePort",
    );
    expect(spec(named(run, GATEWAY, "llm")).listeners).toEqual([
      expect.not.objectContaining({ hostname: expect.anything() }),
    ]);
    expect(run.outputs.llmGatewayUrl).toBe(
      "http://<load balancer hostname> (kubectl -n llm-gateway get svc llm-gateway)",
    );
  });
});
