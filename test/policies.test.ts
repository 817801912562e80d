import { policies } from "../policy/policies";
import { deploy } from "../plan/engine";
import { ROOT } from "../cli/project";
import { blocking, evaluatePolicies, loadPolicyConfig, type PolicyConfigFile } from "../plan/policyEngine";
import { UNKNOWN, type RecordedResource } from "../plan/recorder";
import { resource } from "./support/recorded";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form resource inputs

/** Messages the named policy reports over the resources. */
function violations(policy: string, resources: RecordedResource[], config: PolicyConfigFile = {}): string[] {
  const only = policies.filter((p) => p.name === policy);
  expect(only).toHaveLength(1);
  return evaluatePolicies(resources, config, only).violations.map((v) => v.message);
}

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const k8s = (kind: string, apiVersion: string, spec: Json, metadata: Json = { name: "x", namespace: "ai" }) =>
  resource(`kubernetes:${apiVersion}:${kind}`, { apiVersion, kind, metadata, spec });

const goodCluster = {
  encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-west-2:123456789012:key/k" }, resources: ["secrets"] },
  vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
  enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
  accessConfig: { authenticationMode: "API" },
};
const cluster = (overrides: Json) => resource(CLUSTER, { ...goodCluster, ...overrides }, { name: "eks" });

const goodContainer = {
  name: "app",
  image: "repo/app:1.2.3",
  securityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
  livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
};
function deployment(container: Json = {}, pod: Json = {}, meta: Json = {}): RecordedResource {
  return resource(DEPLOYMENT, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "ai", ...meta },
    spec: {
      selector: { matchLabels: { app: "app" } },
      template: {
        metadata: { labels: { app: "app" } },
        spec: { securityContext: { runAsNonRoot: true }, containers: [{ ...goodContainer, ...container }], ...pod },
      },
    },
  });
}

describe("the pack", () => {
  it("gives every policy a unique name, a description, a level and remediation steps", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of policies) {
      expect(p.description.length).toBeGreaterThan(10);
      expect(p.remediationSteps.length).toBeGreaterThan(10);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
    }
  });
});

describe("EKS policies", () => {
  it("eks-secrets-encryption", () => {
    expect(violations("eks-secrets-encryption", [cluster({})])).toEqual([]);
    expect(
      violations("eks-secrets-encryption", [
        cluster({ encryptionConfig: { provider: { keyArn: UNKNOWN }, resources: ["secrets"] } }),
      ]),
    ).toEqual([]);
    expect(violations("eks-secrets-encryption", [cluster({ encryptionConfig: undefined })])).toEqual([
      "EKS cluster eks does not encrypt secrets with a KMS key.",
    ]);
  });

  it("eks-no-public-endpoint-to-world", () => {
    expect(violations("eks-no-public-endpoint-to-world", [cluster({})])).toEqual([]);
    expect(
      violations("eks-no-public-endpoint-to-world", [cluster({ vpcConfig: { endpointPublicAccess: false } })]),
    ).toEqual([]);
    expect(
      violations("eks-no-public-endpoint-to-world", [
        cluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["::/0"] } }),
      ]),
    ).toEqual(["EKS cluster eks has a public endpoint open to ::/0."]);
    expect(
      violations("eks-no-public-endpoint-to-world", [cluster({ vpcConfig: { endpointPublicAccess: true } })]),
    ).toEqual(["EKS cluster eks has a public endpoint open to 0.0.0.0/0 (the default for an empty list)."]);
    expect(
      violations("eks-no-public-endpoint-to-world", [cluster({})], {
        "eks-no-public-endpoint-to-world": { allowedCidrs: ["198.51.100.0/24"] },
      }),
    ).toEqual(["EKS cluster eks allows 203.0.113.0/24, not in allowedCidrs."]);
  });

  it("eks-control-plane-logging", () => {
    expect(violations("eks-control-plane-logging", [cluster({})])).toEqual([]);
    expect(violations("eks-control-plane-logging", [cluster({ enabledClusterLogTypes: ["api", "audit"] })])).toEqual([
      "EKS cluster eks does not log authenticator, controllerManager, scheduler.",
    ]);
  });

  it("eks-authentication-mode-api", () => {
    expect(violations("eks-authentication-mode-api", [cluster({})])).toEqual([]);
    expect(
      violations("eks-authentication-mode-api", [
        cluster({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
      ]),
    ).toEqual(["EKS cluster eks uses authenticationMode API_AND_CONFIG_MAP, not API."]);
  });

  it("eks-node-groups-private-subnets, for created subnets and for tagged existing ones", () => {
    const privateSubnet = resource(
      "aws:ec2/subnet:Subnet",
      { tags: { "kubernetes.io/role/internal-elb": "1" } },
      { name: "private-0" },
    );
    const publicSubnet = resource(
      "aws:ec2/subnet:Subnet",
      { tags: { "kubernetes.io/role/elb": "1" } },
      { name: "public-0" },
    );
    const group = (subnet: RecordedResource) =>
      resource(
        NODE_GROUP,
        { subnetIds: [UNKNOWN] },
        { name: "gpu", propertyDependencies: { subnetIds: [subnet.urn] } },
      );
    expect(violations("eks-node-groups-private-subnets", [privateSubnet, group(privateSubnet)])).toEqual([]);
    expect(violations("eks-node-groups-private-subnets", [publicSubnet, group(publicSubnet)])).toEqual([
      "Node group gpu uses public subnet(s) public-0.",
    ]);
    const tag = resource("aws:ec2/tag:Tag", { resourceId: "subnet-1a", key: "kubernetes.io/role/elb", value: "1" });
    const existing = resource(NODE_GROUP, { subnetIds: ["subnet-0a", "subnet-1a"] }, { name: "system" });
    expect(violations("eks-node-groups-private-subnets", [tag, existing])).toEqual([
      "Node group system uses public subnet(s) subnet-1a.",
    ]);
  });

  it("eks-node-groups-no-ssh", () => {
    expect(violations("eks-node-groups-no-ssh", [resource(NODE_GROUP, {}, { name: "system" })])).toEqual([]);
    expect(
      violations("eks-node-groups-no-ssh", [
        resource(NODE_GROUP, { remoteAccess: { ec2SshKey: "k" } }, { name: "system" }),
      ]),
    ).toEqual(["Node group system allows SSH through remoteAccess."]);
  });

  it("ec2-launch-template-imdsv2", () => {
    const lt = (httpTokens: string) =>
      resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens } }, { name: "lt" });
    expect(violations("ec2-launch-template-imdsv2", [lt("required")])).toEqual([]);
    expect(violations("ec2-launch-template-imdsv2", [lt("optional")])).toEqual([
      "Launch template lt does not require IMDSv2.",
    ]);
  });

  it("karpenter-nodeclass-imdsv2", () => {
    const nodeClass = (metadataOptions: Json) =>
      k8s("EC2NodeClass", "karpenter.k8s.aws/v1", { metadataOptions }, { name: "gpu" });
    expect(
      violations("karpenter-nodeclass-imdsv2", [nodeClass({ httpTokens: "required", httpPutResponseHopLimit: 1 })]),
    ).toEqual([]);
    expect(
      violations("karpenter-nodeclass-imdsv2", [nodeClass({ httpTokens: "optional", httpPutResponseHopLimit: 2 })]),
    ).toEqual(["EC2NodeClass gpu does not require IMDSv2.", "EC2NodeClass gpu allows 2 metadata hops, not 1."]);
  });

  it("karpenter-nodeclass-ami-pinned", () => {
    const nodeClass = (alias: string) =>
      k8s("EC2NodeClass", "karpenter.k8s.aws/v1", { amiSelectorTerms: [{ alias }] }, { name: "gpu" });
    expect(violations("karpenter-nodeclass-ami-pinned", [nodeClass("al2023@v20251016")])).toEqual([]);
    expect(violations("karpenter-nodeclass-ami-pinned", [nodeClass("al2023@latest")])).toEqual([
      "EC2NodeClass gpu follows al2023@latest.",
    ]);
  });

  it("kms-key-rotation", () => {
    const key = (enableKeyRotation: boolean) => resource("aws:kms/key:Key", { enableKeyRotation }, { name: "key" });
    expect(violations("kms-key-rotation", [key(true)])).toEqual([]);
    expect(violations("kms-key-rotation", [key(false)])).toEqual(["KMS key key does not rotate."]);
  });
});

describe("GPU policies", () => {
  const gpuGroup = (inputs: Json) =>
    resource(
      NODE_GROUP,
      {
        instanceTypes: ["g5.xlarge"],
        amiType: "AL2023_x86_64_NVIDIA",
        taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
        scalingConfig: { maxSize: 4 },
        ...inputs,
      },
      { name: "gpu" },
    );

  it("gpu-node-group-nvidia", () => {
    expect(violations("gpu-node-group-nvidia", [gpuGroup({})])).toEqual([]);
    expect(violations("gpu-node-group-nvidia", [resource(NODE_GROUP, { instanceTypes: ["m6i.large"] })])).toEqual([]);
    expect(violations("gpu-node-group-nvidia", [gpuGroup({ amiType: "AL2023_x86_64_STANDARD", taints: [] })])).toEqual([
      "GPU node group gpu uses amiType AL2023_x86_64_STANDARD, not an NVIDIA AMI.",
      "GPU node group gpu lacks the nvidia.com/gpu NO_SCHEDULE taint.",
    ]);
  });

  it("gpu-workload-scheduling", () => {
    const gpu = { resources: { ...goodContainer.resources, limits: { memory: "1Gi", "nvidia.com/gpu": "1" } } };
    const toleration = [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }];
    expect(
      violations("gpu-workload-scheduling", [
        deployment(gpu, { tolerations: toleration, nodeSelector: { "nvidia.com/gpu.present": "true" } }),
      ]),
    ).toEqual([]);
    expect(violations("gpu-workload-scheduling", [deployment()])).toEqual([]);
    expect(violations("gpu-workload-scheduling", [deployment(gpu)])).toEqual([
      "Deployment ai/app requests GPUs but does not tolerate the nvidia.com/gpu taint.",
      "Deployment ai/app requests GPUs but does not select GPU nodes.",
    ]);
  });

  it("gpu-node-group-max-size is advisory with a configurable cap", () => {
    expect(violations("gpu-node-group-max-size", [gpuGroup({})])).toEqual([]);
    const findings = evaluatePolicies(
      [gpuGroup({ scalingConfig: { maxSize: 12 } })],
      {},
      policies.filter((p) => p.name === "gpu-node-group-max-size"),
    );
    expect(findings.violations).toEqual([
      expect.objectContaining({
        level: "advisory",
        message: "GPU node group gpu can grow to 12 nodes, above the cap of 8.",
      }),
    ]);
    expect(
      violations("gpu-node-group-max-size", [gpuGroup({})], { "gpu-node-group-max-size": { maxGpuNodes: 2 } }),
    ).toEqual(["GPU node group gpu can grow to 4 nodes, above the cap of 2."]);
  });

  const nodePool = (spec: Json) => k8s("NodePool", "karpenter.sh/v1", spec, { name: "gpu" });
  const gpuPool = (overrides: Json = {}) => ({
    template: {
      metadata: { labels: { "nvidia.com/gpu.present": "true" } },
      spec: {
        requirements: [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g5", "g6"] }],
        taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
        ...overrides.spec,
      },
    },
    limits: { "nvidia.com/gpu": "4" },
    ...overrides.pool,
  });

  it("karpenter-gpu-nodepool-tainted-and-capped", () => {
    const policy = "karpenter-gpu-nodepool-tainted-and-capped";
    expect(violations(policy, [nodePool(gpuPool())])).toEqual([]);
    expect(violations(policy, [nodePool(gpuPool({ spec: { taints: [] }, pool: { limits: { cpu: "64" } } }))])).toEqual([
      "GPU NodePool gpu does not taint its nodes nvidia.com/gpu:NoSchedule.",
      "GPU NodePool gpu has no nvidia.com/gpu limit: nothing caps its cost.",
    ]);
    expect(violations(policy, [nodePool(gpuPool())], { [policy]: { maxGpus: 2 } })).toEqual([
      "GPU NodePool gpu may launch 4 GPUs, above the cap of 2.",
    ]);
    // A CPU pool is not a GPU pool: no taint, no GPU limit needed.
    const general = {
      template: {
        spec: { requirements: [{ key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m"] }] },
      },
      limits: { cpu: "32" },
    };
    expect(violations(policy, [nodePool(general)])).toEqual([]);
  });
});

describe("Istio policies", () => {
  const peer = (spec: Json, metadata: Json = { name: "default", namespace: "istio-system" }) =>
    k8s("PeerAuthentication", "security.istio.io/v1", spec, metadata);
  const authz = (spec: Json, metadata?: Json) => k8s("AuthorizationPolicy", "security.istio.io/v1", spec, metadata);
  const namespace = (name: string, labels: Json = { "istio-injection": "enabled" }) =>
    resource(
      "kubernetes:core/v1:Namespace",
      { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
      { name: `ns-${name}` },
    );

  it("istio-no-permissive-mtls, port-level included", () => {
    expect(violations("istio-no-permissive-mtls", [peer({ mtls: { mode: "STRICT" } })])).toEqual([]);
    expect(violations("istio-no-permissive-mtls", [peer({ mtls: { mode: "PERMISSIVE" } })])).toEqual([
      "PeerAuthentication istio-system/default sets mTLS mode PERMISSIVE.",
    ]);
    expect(
      violations("istio-no-permissive-mtls", [
        peer({ mtls: { mode: "STRICT" }, portLevelMtls: { "9090": { mode: "DISABLE" } } }),
      ]),
    ).toEqual(["PeerAuthentication istio-system/default sets mTLS mode DISABLE on port 9090."]);
  });

  it("istio-mesh-wide-strict-mtls", () => {
    expect(violations("istio-mesh-wide-strict-mtls", [peer({ mtls: { mode: "STRICT" } })])).toEqual([]);
    expect(violations("istio-mesh-wide-strict-mtls", [deployment()])).toEqual([]);
    expect(
      violations("istio-mesh-wide-strict-mtls", [
        peer({ mtls: { mode: "STRICT" } }, { name: "default", namespace: "ai" }),
      ]),
    ).toEqual(["No mesh-wide STRICT PeerAuthentication in istio-system."]);
  });

  it("istio-namespace-default-deny", () => {
    expect(
      violations("istio-namespace-default-deny", [
        namespace("ai"),
        authz({}, { name: "allow-nothing", namespace: "ai" }),
      ]),
    ).toEqual([]);
    expect(
      violations("istio-namespace-default-deny", [
        namespace("ai"),
        authz({ rules: [] }, { name: "x", namespace: "ai" }),
      ]),
    ).toEqual(["Namespace ai has no allow-nothing AuthorizationPolicy."]);
    expect(violations("istio-namespace-default-deny", [namespace("monitoring")])).toEqual([]);
  });

  it("istio-no-allow-all: empty rule, missing from, * principals", () => {
    const named = { from: [{ source: { principals: ["cluster.local/ns/ai/sa/web"] } }] };
    expect(violations("istio-no-allow-all", [authz({ action: "ALLOW", rules: [named] })])).toEqual([]);
    expect(violations("istio-no-allow-all", [authz({})])).toEqual([]);
    expect(
      violations("istio-no-allow-all", [
        authz({
          rules: [{}, { to: [{ operation: { methods: ["GET"] } }] }, { from: [{ source: { principals: ["*"] } }] }],
        }),
      ]),
    ).toEqual([
      "AuthorizationPolicy ai/x rule 0 allows any caller.",
      "AuthorizationPolicy ai/x rule 1 allows any caller.",
      "AuthorizationPolicy ai/x rule 2 allows any caller.",
    ]);
    expect(violations("istio-no-allow-all", [authz({ action: "DENY", rules: [{}] })])).toEqual([]);
  });

  it("istio-destination-rule-tls", () => {
    const dr = (trafficPolicy: Json, subsets: Json[] = []) =>
      k8s("DestinationRule", "networking.istio.io/v1", { host: "x", trafficPolicy, subsets });
    expect(violations("istio-destination-rule-tls", [dr({ tls: { mode: "ISTIO_MUTUAL" } })])).toEqual([]);
    expect(
      violations("istio-destination-rule-tls", [dr({}, [{ name: "v1", trafficPolicy: { tls: { mode: "DISABLE" } } }])]),
    ).toEqual(["DestinationRule ai/x disables TLS."]);
  });

  it("istio-sidecar-injection: namespaces enrolled, workloads not opting out", () => {
    expect(violations("istio-sidecar-injection", [namespace("ai"), deployment()])).toEqual([]);
    expect(violations("istio-sidecar-injection", [namespace("ai", { "istio.io/rev": "1-30-3" })])).toEqual([]);
    const optOut = deployment();
    (optOut.inputs as Json).spec.template.metadata.annotations = { "sidecar.istio.io/inject": "false" };
    expect(violations("istio-sidecar-injection", [namespace("ai", {}), optOut])).toEqual([
      "Namespace ai does not enable sidecar injection.",
      "Deployment ai/app opts out of sidecar injection.",
    ]);
  });

  it("istio-route-weights-sum-to-100", () => {
    const vs = (weights: number[]) =>
      k8s("VirtualService", "networking.istio.io/v1", {
        hosts: ["x"],
        http: [
          {
            name: "canary",
            route: weights.map((weight, i) => ({ destination: { host: "x", subset: `v${i}` }, weight })),
          },
        ],
      });
    expect(violations("istio-route-weights-sum-to-100", [vs([60, 30, 10])])).toEqual([]);
    expect(violations("istio-route-weights-sum-to-100", [vs([100])])).toEqual([]);
    expect(violations("istio-route-weights-sum-to-100", [vs([80, 10])])).toEqual([
      "VirtualService ai/x http route canary weights sum to 90, must be 100.",
    ]);
  });

  it("istio-envoyfilter-applied: relative patches need a priority, route patches no ADD or REMOVE", () => {
    const envoyFilter = (name: string, priority: number | undefined, applyTo: string, operation: string) =>
      k8s(
        "EnvoyFilter",
        "networking.istio.io/v1alpha3",
        { priority, configPatches: [{ applyTo, patch: { operation, value: { name: "envoy.filters.http.lua" } } }] },
        { name, namespace: "ai" },
      );
    expect(
      violations("istio-envoyfilter-applied", [
        envoyFilter("ordered", 10, "HTTP_FILTER", "INSERT_BEFORE"),
        envoyFilter("first", undefined, "HTTP_FILTER", "INSERT_FIRST"),
      ]),
    ).toEqual([]);
    const unordered = envoyFilter("unordered", undefined, "HTTP_FILTER", "INSERT_BEFORE");
    const routeAdd = envoyFilter("route-add", 10, "HTTP_ROUTE", "ADD");
    const report = evaluatePolicies(
      [unordered, routeAdd],
      {},
      policies.filter((p) => p.name === "istio-envoyfilter-applied"),
    );
    expect(report.violations.map((v) => [v.level, v.resource, v.message])).toEqual([
      [
        "mandatory",
        unordered.urn,
        "EnvoyFilter ai/unordered configPatches[0]: patch.operation INSERT_BEFORE is relative and spec.priority is 0, so Istio may not apply it; set a non-zero spec.priority or use an absolute operation (INSERT_FIRST, ADD) (IST0151)",
      ],
      [
        "mandatory",
        routeAdd.urn,
        "EnvoyFilter ai/route-add configPatches[0]: patch.operation ADD with applyTo HTTP_ROUTE is ignored; ADD applies to other targets (IST0153)",
      ],
    ]);
  });

  it("istio-no-fault-injection-in-production", () => {
    const faulty = k8s("VirtualService", "networking.istio.io/v1", {
      hosts: ["x"],
      http: [{ fault: { delay: {} }, route: [] }],
    });
    expect(violations("istio-no-fault-injection-in-production", [faulty])).toEqual([]);
    expect(
      violations(
        "istio-no-fault-injection-in-production",
        [faulty],
        loadPolicyConfig(`${ROOT}/policy/config/prod.json`),
      ),
    ).toEqual(["VirtualService ai/x injects faults in a production stack."]);
  });
});

describe("LLM serving policies", () => {
  const RELEASE = "kubernetes:helm.sh/v3:Release";
  const gateway = (from: string) =>
    k8s("Gateway", "gateway.networking.k8s.io/v1", {
      gatewayClassName: "istio",
      listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from } } }],
    });
  const route = (weights: (number | undefined)[], timeout?: string) =>
    k8s("HTTPRoute", "gateway.networking.k8s.io/v1", {
      rules: [
        {
          backendRefs: weights.map((weight, i) => ({ kind: "InferencePool", name: `chat-v${i}`, weight })),
          ...(timeout ? { timeouts: { request: timeout } } : {}),
        },
      ],
    });
  const picker = (values: Json, chart = "oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool") =>
    resource(RELEASE, { name: "chat-v1", namespace: "ai", chart, version: "v1.4.0", values });
  const secure = {
    provider: { name: "istio" },
    inferenceExtension: { monitoring: { prometheus: { enabled: true, auth: { enabled: true } } } },
  };
  const vllm = (args: string[]) => deployment({ command: ["vllm"], args: ["serve", ...args] }, {}, { name: "chat-v1" });
  const scaler = (spec: Json) => k8s("ScaledObject", "keda.sh/v1alpha1", spec, { name: "chat-v1", namespace: "ai" });
  const commit = "0e9e39f249a16976918f6564b8830bc894c89659";

  it("gateway-api-routes-restricted", () => {
    expect(violations("gateway-api-routes-restricted", [gateway("Selector"), gateway("Same")])).toEqual([]);
    expect(violations("gateway-api-routes-restricted", [gateway("All")])).toEqual([
      "Gateway ai/x listener http takes routes from every namespace.",
    ]);
  });

  it("llm-route-weights-and-timeout", () => {
    const redirect = k8s("HTTPRoute", "gateway.networking.k8s.io/v1", {
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
    expect(
      violations("llm-route-weights-and-timeout", [route([90, 10], "300s"), route([undefined], "60s"), redirect]),
    ).toEqual([]);
    expect(violations("llm-route-weights-and-timeout", [route([90, 20], "300s"), route([50, undefined])])).toEqual([
      "HTTPRoute ai/x rule 0 weights sum to 110, must be 100.",
      "HTTPRoute ai/x rule 0 weights sum to 51, must be 100.",
      "HTTPRoute ai/x rule 0 has no request timeout.",
    ]);
  });

  it("inferencepool-picker-secured: provider istio, authenticated metrics, the chart's image", () => {
    expect(violations("inferencepool-picker-secured", [picker(secure), picker({}, "metrics-server")])).toEqual([]);
    const open = {
      provider: { name: "none" },
      inferenceExtension: { image: { tag: "main" }, monitoring: { prometheus: { enabled: false } } },
    };
    expect(violations("inferencepool-picker-secured", [picker(open, "/charts/inferencepool-v1.4.0.tgz")])).toEqual([
      'Release ai/chat-v1: provider.name is "none", not "istio".',
      "Release ai/chat-v1: the picker's metrics would answer without authentication.",
      "Release ai/chat-v1: overrides the picker's image tag (main).",
    ]);
  });

  it("model-server-weights-pinned: a hub model at a commit; S3 weights synced to a path need none", () => {
    const pinned = ["meta-llama/Llama-3.1-8B-Instruct", "--revision", commit, "--tokenizer-revision", commit];
    expect(violations("model-server-weights-pinned", [vllm(pinned), vllm(["/models/weights"]), deployment()])).toEqual(
      [],
    );
    expect(
      violations("model-server-weights-pinned", [vllm(["meta-llama/Llama-3.1-8B-Instruct", "--revision", "main"])]),
    ).toEqual([
      "Deployment ai/chat-v1 serves meta-llama/Llama-3.1-8B-Instruct without a pinned --revision (got main).",
      "Deployment ai/chat-v1 serves meta-llama/Llama-3.1-8B-Instruct without a pinned --tokenizer-revision (got none).",
    ]);
  });

  it("scaledobject-bounded: a ceiling, and a fallback that holds", () => {
    const holding = {
      maxReplicaCount: 2,
      fallback: { failureThreshold: 4, replicas: 1, behavior: "currentReplicasIfHigher" },
    };
    expect(violations("scaledobject-bounded", [scaler(holding)])).toEqual([]);
    expect(violations("scaledobject-bounded", [scaler({ fallback: { failureThreshold: 3, replicas: 1 } })])).toEqual([
      "ScaledObject ai/chat-v1 has no maxReplicaCount.",
      "ScaledObject ai/chat-v1 does not hold its replicas when its metric is missing (fallback behavior static).",
    ]);
    expect(violations("scaledobject-bounded", [scaler({ maxReplicaCount: 3 })])).toEqual([
      "ScaledObject ai/chat-v1 does not hold its replicas when its metric is missing (fallback absent).",
    ]);
  });
});

describe("workload policies", () => {
  const cases: [string, Json, Json, string][] = [
    [
      "workload-non-root",
      {},
      { securityContext: { runAsUser: 0 } },
      "Deployment ai/app container app runs as root (runAsUser 0).",
    ],
    [
      "workload-no-privilege-escalation",
      {},
      { securityContext: { ...goodContainer.securityContext, allowPrivilegeEscalation: true } },
      "Deployment ai/app container app allows privilege escalation.",
    ],
    [
      "workload-drop-all-capabilities",
      {},
      { securityContext: { ...goodContainer.securityContext, capabilities: { drop: ["NET_RAW"] } } },
      "Deployment ai/app container app does not drop ALL capabilities.",
    ],
    [
      "workload-read-only-root-filesystem",
      {},
      { securityContext: { ...goodContainer.securityContext, readOnlyRootFilesystem: false } },
      "Deployment ai/app container app has a writable root filesystem.",
    ],
    [
      "workload-resources",
      {},
      { resources: { requests: { cpu: "1" } } },
      "Deployment ai/app container app has no requests.memory, limits.memory.",
    ],
    ["workload-probes", {}, { livenessProbe: undefined }, "Deployment ai/app container app has no livenessProbe."],
    [
      "workload-image-pinned",
      {},
      { image: "repo/app:latest" },
      "Deployment ai/app container app uses image repo/app:latest with the latest tag.",
    ],
    [
      "workload-image-digest",
      { image: `repo/app@sha256:${"a".repeat(64)}` },
      {},
      "Deployment ai/app container app image is not pinned by digest.",
    ],
  ];
  it.each(cases)("%s passes a hardened container and reports the bad one", (policy, good, bad, message) => {
    expect(violations(policy, [deployment(good)])).toEqual([]);
    expect(violations(policy, [deployment(bad)])).toEqual([message]);
  });

  it("workload-no-host-path allows only a model server's weights in the GPU node's model cache", () => {
    const cache = { name: "model-cache", hostPath: { path: "/var/lib/ai-mesh/models", type: "Directory" } };
    const withVolume = (volume: Json, labels: Json) => {
      const d = deployment({}, { volumes: [volume] });
      (d.inputs as Json).spec.template.metadata.labels = { app: "app", ...labels };
      return d;
    };
    const modelServer = { "ai-mesh.io/workload": "model-server" };
    expect(violations("workload-no-host-path", [withVolume(cache, modelServer), deployment()])).toEqual([]);
    expect(
      violations("workload-no-host-path", [
        withVolume(cache, {}),
        withVolume({ ...cache, hostPath: { path: "/var/lib/ai-mesh/models", type: "DirectoryOrCreate" } }, modelServer),
        withVolume({ name: "etc", hostPath: { path: "/etc" } }, modelServer),
      ]),
    ).toEqual([
      "Deployment ai/app mounts the node's /var/lib/ai-mesh/models (volume model-cache, type Directory); only a model server may mount /var/lib/ai-mesh/models, type Directory.",
      "Deployment ai/app mounts the node's /var/lib/ai-mesh/models (volume model-cache, type DirectoryOrCreate); only a model server may mount /var/lib/ai-mesh/models, type Directory.",
      "Deployment ai/app mounts the node's /etc (volume etc, type unset); only a model server may mount /var/lib/ai-mesh/models, type Directory.",
    ]);
  });

  it("workload-non-root also catches a pod that does not say runAsNonRoot", () => {
    expect(violations("workload-non-root", [deployment({ securityContext: {} }, { securityContext: {} })])).toEqual([
      "Deployment ai/app container app may run as root (runAsNonRoot is not true).",
    ]);
  });

  it("workload-pod-disruption-budget (advisory) wants a PDB for multi-replica Deployments", () => {
    const hpa = k8s(
      "HorizontalPodAutoscaler",
      "autoscaling/v2",
      { scaleTargetRef: { name: "app" }, minReplicas: 2 },
      { name: "app", namespace: "ai" },
    );
    const pdb = k8s("PodDisruptionBudget", "policy/v1", {
      maxUnavailable: 1,
      selector: { matchLabels: { app: "app" } },
    });
    expect(violations("workload-pod-disruption-budget", [deployment(), hpa, pdb])).toEqual([]);
    expect(violations("workload-pod-disruption-budget", [deployment()])).toEqual([]);
    expect(violations("workload-pod-disruption-budget", [deployment(), hpa])).toEqual([
      "Deployment ai/app runs 2 replicas without a PodDisruptionBudget.",
    ]);
  });

  it("no-load-balancer-services except the ingress gateway", () => {
    const service = (name: string, namespace: string) =>
      resource("kubernetes:core/v1:Service", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace },
        spec: { type: "LoadBalancer" },
      });
    expect(violations("no-load-balancer-services", [service("istio-ingressgateway", "istio-ingress")])).toEqual([]);
    expect(violations("no-load-balancer-services", [service("web", "ai")])).toEqual([
      "Service ai/web is a LoadBalancer; only the ingress gateway may be.",
    ]);
  });
});

describe("committed stacks against the pack", () => {
  it.each(["dev", "local"])("the %s stack has no mandatory violation, in a preview or a deploy", async (stack) => {
    for (const preview of [true, false]) {
      const run = await deploy({ stack, preview });
      const report = evaluatePolicies(run.resources, loadPolicyConfig(`${ROOT}/policy/config/dev.json`));
      expect(blocking(report)).toEqual([]);
    }
  });

  it("flags the dev stack without certificates and tokens: mandatory under prod.json, advisory under dev.json", async () => {
    const open = await deploy({
      config: {
        "ai-mesh:istio": { ingress: { certificateArn: undefined } },
        "ai-mesh:llm": { gateway: { certificateArn: undefined, jwt: undefined }, clientRateLimit: undefined },
      },
    });
    const findings = (config: string) =>
      evaluatePolicies(open.resources, loadPolicyConfig(`${ROOT}/policy/config/${config}.json`))
        .violations.filter((v) => v.policy.includes("internet-facing"))
        .map((v) => `${v.level} ${v.policy}: ${v.message}`);
    const messages = [
      "gateway-internet-facing-tls: Gateway istio-ingress/istio-ingressgateway faces the internet without TLS: its load balancer has no certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).",
      "gateway-internet-facing-tls: Gateway llm-gateway/llm-gateway faces the internet without TLS: its load balancer has no certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).",
      "llm-gateway-internet-facing-auth: LLM gateway llm-gateway/llm-gateway faces the internet without authentication: no RequestAuthentication selects its pods.",
      'llm-gateway-internet-facing-auth: LLM gateway llm-gateway/llm-gateway faces the internet and serves requests without a token on port 80: no DENY AuthorizationPolicy selecting its pods refuses requests without a principal there (notRequestPrincipals ["*"], no "when", and a "to" that is absent or takes in the port the pod listens on).',
    ];
    expect(findings("prod")).toEqual(messages.map((m) => `mandatory ${m}`));
    expect(findings("dev")).toEqual(messages.map((m) => `advisory ${m}`));
    // The committed dev stack, with its doors locked, has none of them.
    const locked = evaluatePolicies((await deploy()).resources, loadPolicyConfig(`${ROOT}/policy/config/prod.json`));
    expect(locked.violations.filter((v) => v.policy.includes("internet-facing"))).toEqual([]);
  });

  it("reports a PERMISSIVE PeerAuthentication, a sum-90 VirtualService and a root container together", async () => {
    const run = await deploy();
    const broken = run.resources.map((r) => ({ ...r, inputs: JSON.parse(JSON.stringify(r.inputs)) as Json }));
    broken.find((r) => r.type.endsWith(":PeerAuthentication"))!.inputs.spec.mtls.mode = "PERMISSIVE";
    const detector = broken.find((r) => r.name === "platform-object-detector-vs")!;
    detector.inputs.spec.http[0].route[0].weight = 80;
    const web = broken.find((r) => r.type === DEPLOYMENT && r.name === "platform-web-v1")!;
    web.inputs.spec.template.spec.securityContext = { runAsUser: 0 };
    web.inputs.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;

    const messages = blocking(evaluatePolicies(broken, loadPolicyConfig(`${ROOT}/policy/config/dev.json`))).map(
      (v) => `${v.policy}: ${v.message}`,
    );
    expect(messages).toEqual([
      "istio-no-permissive-mtls: PeerAuthentication istio-system/default sets mTLS mode PERMISSIVE.",
      "istio-mesh-wide-strict-mtls: No mesh-wide STRICT PeerAuthentication in istio-system.",
      "istio-route-weights-sum-to-100: VirtualService ai/object-detector http route canary weights sum to 90, must be 100.",
      "workload-non-root: Deployment ai/web-v1 container web runs as root (runAsUser 0).",
    ]);
  });

  it("blocks the dev stack's rate limits (per pod and per client) once their priority is gone", async () => {
    const run = await deploy();
    const broken = run.resources.map((r) => ({ ...r, inputs: JSON.parse(JSON.stringify(r.inputs)) as Json }));
    for (const filter of broken.filter((r) => r.inputs.kind === "EnvoyFilter")) delete filter.inputs.spec.priority;
    const failures = blocking(evaluatePolicies(broken, loadPolicyConfig(`${ROOT}/policy/config/dev.json`)));
    const unordered = (filter: string) =>
      `EnvoyFilter ${filter} configPatches[0]: patch.operation INSERT_BEFORE is relative and spec.priority is 0, so Istio may not apply it; set a non-zero spec.priority or use an absolute operation (INSERT_FIRST, ADD) (IST0151)`;
    expect(failures.map((v) => [v.policy, v.resource.split("::").pop(), v.message])).toEqual([
      ["istio-envoyfilter-applied", "platform-web-ratelimit", unordered("ai/web-local-ratelimit")],
      [
        "istio-envoyfilter-applied",
        "platform-object-detector-ratelimit",
        unordered("ai/object-detector-local-ratelimit"),
      ],
      ["istio-envoyfilter-applied", "inference-gateway-client-rate-limit", unordered("llm-gateway/client-rate-limit")],
    ]);
  });

  it("reports an open Gateway, a sum-110 model route, an unpinned model and a scaler that shrinks blind together", async () => {
    const run = await deploy();
    const broken = run.resources.map((r) => ({ ...r, inputs: JSON.parse(JSON.stringify(r.inputs)) as Json }));
    broken.find(
      (r) => r.type.endsWith(":Gateway") && r.inputs.apiVersion.startsWith("gateway."),
    )!.inputs.spec.listeners[0].allowedRoutes.namespaces.from = "All";
    // backendRefs[0] is the canary, v2 at 10 (the stable pool goes last): 20 + 90 = 110.
    broken.find((r) => r.name === "platform-chat-route")!.inputs.spec.rules[0].backendRefs[0].weight = 20;
    const server = broken.find((r) => r.name === "platform-chat-v1")!.inputs.spec.template.spec.containers[0];
    server.args = server.args.slice(0, server.args.indexOf("--revision"));
    delete broken.find((r) => r.name === "platform-chat-v2-scaler")!.inputs.spec.fallback;
    const messages = blocking(evaluatePolicies(broken, loadPolicyConfig(`${ROOT}/policy/config/dev.json`))).map(
      (v) => `${v.policy}: ${v.message}`,
    );
    expect(messages).toEqual([
      "gateway-api-routes-restricted: Gateway llm-gateway/llm listener https takes routes from every namespace.",
      "llm-route-weights-and-timeout: HTTPRoute ai/chat rule 0 weights sum to 110, must be 100.",
      "model-server-weights-pinned: Deployment ai/chat-v1 serves meta-llama/Llama-3.1-8B-Instruct without a pinned --revision (got none).",
      "model-server-weights-pinned: Deployment ai/chat-v1 serves meta-llama/Llama-3.1-8B-Instruct without a pinned --tokenizer-revision (got none).",
      "scaledobject-bounded: ScaledObject ai/chat-v2 does not hold its replicas when its metric is missing (fallback absent).",
    ]);
  });
});
