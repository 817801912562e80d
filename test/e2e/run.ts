// `npm run e2e`: the real program on the real Pulumi engine against a real cluster, through the
// Automation API, on a throw-away stack (Pulumi.local.yaml plus cluster, charts and Grafana-admin
// overrides) with a file backend in a scratch directory. Each step prints as it runs.
import * as assert from "node:assert/strict";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { changeCollector, describeChange, pendingChanges } from "../../automation/changes";
import { progressPrinter } from "../../automation/progress";
import { openStack } from "../../automation/stack";
import { readWeights, setStackValues, writeWeights } from "../../cli/stackFile";
import { promote } from "../../canary/promote";
import type { Weights } from "../../components/core/weights";
import { HTTP_ROUTE, VIRTUAL_SERVICE } from "../../canary/apply";
import { METRICS_API_SERVICE, METRICS_SERVER_NAMESPACE } from "../../components/cluster/metricsServer";
import { DEFAULT_MODEL } from "../../components/config/defaults";
import { ENVOY_PORT_NAME_REGEX } from "../../components/observability/scrape";
import { runCommand, type Command } from "../../cli/args";
import { ROOT } from "../../cli/project";
import { startPrometheus } from "../support/prometheus";
import { REQUIRE_TOOLS, onPath } from "../support/tools";
import { apply, get, items, kubectl, remove } from "./kube";

const STACK = "e2e";
const OBSERVABILITY_NAMESPACE = "monitoring";
const ADMIN_SECRET = "grafana-admin-e2e";
const STACK_NAMESPACES = ["ai", "istio-system", "istio-ingress", "llm-gateway", "keda"];
const RELEASES = [
  "istio-base",
  "istiod",
  "istio-ingressgateway",
  "kps",
  "jaeger",
  "kiali",
  "metrics-server",
  // LLM serving: the gateway, the router, a pool and picker per model version, KEDA.
  "llm-gateway",
  "body-based-router",
  "chat-v1",
  "chat-v2",
  "keda",
];
/** CRDs the stack installs from the charts directory (the Go modules' files, by npm run charts). */
const INFERENCE_CRDS = [
  "httproutes.gateway.networking.k8s.io",
  "inferencepools.inference.networking.k8s.io",
  "inferenceobjectives.inference.networking.x-k8s.io",
];

function log(line: string): void {
  console.log(line);
}

async function step<T>(title: string, run: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  log(`\n▶ ${title}`);
  const result = await run();
  log(`✓ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/** The tools this run needs, or a message saying what is missing. */
function preflight(): string[] {
  const problems: string[] = [];
  if (!onPath("pulumi")) problems.push("the pulumi CLI is not on PATH");
  if (!onPath("kubectl")) problems.push("kubectl is not on PATH");
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) problems.push("KUBECONFIG is not set");
  else if (!fs.existsSync(kubeconfig)) problems.push(`KUBECONFIG ${kubeconfig} does not exist`);
  return problems;
}

/** A scratch project: Pulumi.yaml and the e2e stack file made from Pulumi.local.yaml plus overrides. */
function scratchProject(): { dir: string; stackFile: string; envVars: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-e2e-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const stackFile = path.join(dir, `Pulumi.${STACK}.yaml`);
  fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), stackFile);
  const context = kubectl(["config", "current-context"]).trim();
  const charts = process.env.AI_MESH_CHARTS;
  setStackValues(stackFile, [
    [["ai-mesh:cluster", "kubeconfig"], path.resolve(process.env.KUBECONFIG!)],
    [["ai-mesh:cluster", "context"], context],
    ...(charts ? ([[["ai-mesh:charts"], { directory: path.resolve(charts) }]] as [string[], unknown][]) : []),
    // The admin Secret is the user's, so its namespace is too: both exist before `up`.
    [["ai-mesh:observability", "createNamespace"], false],
    [["ai-mesh:observability", "grafana"], { existingAdminSecret: ADMIN_SECRET }],
  ]);
  log(`  scratch project ${dir}, context ${context}, charts ${charts ?? "from their repositories"}`);
  fs.mkdirSync(path.join(dir, "state"));
  return {
    dir,
    stackFile,
    envVars: {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
    },
  };
}

function createAdminSecret(): void {
  apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: OBSERVABILITY_NAMESPACE } });
  apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: ADMIN_SECRET, namespace: OBSERVABILITY_NAMESPACE },
    type: "Opaque",
    stringData: { "admin-user": "admin", "admin-password": randomBytes(24).toString("base64url") },
  });
}

/** Every output key appears in the README's Outputs table. */
function documentedOutputs(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Outputs");
  const table = readme.slice(start, readme.indexOf("\n## ", start + 1));
  return [...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap((row) =>
    [...row[1].matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]),
  );
}

/** Helm keeps each release revision in a Secret labelled owner=helm, name=<release>, status=<status>. */
function helmReleases(): { name: string; status: string }[] {
  const out = kubectl([
    "get",
    "secrets",
    "--all-namespaces",
    "-l",
    "owner=helm",
    "--no-headers",
    "-o",
    "custom-columns=NAME:.metadata.labels.name,STATUS:.metadata.labels.status",
  ]);
  return out
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const [name, status] = line.trim().split(/\s+/);
      return { name, status };
    });
}

function assertReady(): void {
  const deployments = STACK_NAMESPACES.concat(OBSERVABILITY_NAMESPACE).flatMap((ns) => items("deployments", ns));
  const notReady = deployments
    .filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1))
    .map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
  assert.deepEqual(notReady, [], "every Deployment is ready");
  log(`  ${deployments.length} Deployments ready`);
  const deployed = helmReleases()
    .filter((release) => release.status === "deployed")
    .map((release) => release.name);
  assert.deepEqual([...deployed].sort(), [...RELEASES].sort(), "every Helm release is deployed");
  log(`  Helm releases deployed: ${deployed.sort().join(", ")}`);
}

function virtualServiceWeights(name: string): Weights {
  const vs = get(`virtualservices.networking.istio.io/${name}`, "ai");
  assert.ok(vs, `VirtualService ai/${name} exists`);
  return Object.fromEntries(
    (vs.spec.http[0].route as { destination: { subset: string }; weight: number }[]).map((r) => [
      r.destination.subset,
      r.weight,
    ]),
  );
}

/** A model's split as its HTTPRoute in the cluster has it: pool "<app>-<version>" → weight. */
function modelRouteWeights(app: string): Weights {
  const route = get(`httproutes.gateway.networking.k8s.io/${app}`, "ai");
  assert.ok(route, `HTTPRoute ai/${app} exists`);
  return Object.fromEntries(
    (route.spec.rules[0].backendRefs as { name: string; weight: number }[]).map((b) => [
      b.name.slice(app.length + 1),
      b.weight,
    ]),
  );
}

/** resourceVersion of every object the model's versions are made of besides its route. */
function modelObjects(): Record<string, string> {
  const objects = [
    ...items("inferencepools.inference.networking.k8s.io", "ai"),
    ...items("deployments.apps", "ai").filter((d) => /^chat-/.test(d.metadata.name)),
    ...items("scaledobjects.keda.sh", "ai"),
  ];
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

/** The LLM layer in the API server: CRDs, pools, pickers, the route, the gateway, scaling, policy. */
function assertInference(): void {
  for (const crd of INFERENCE_CRDS) assert.ok(get(`customresourcedefinition/${crd}`), `CRD ${crd} is installed`);
  const pool = get("inferencepools.inference.networking.k8s.io/chat-v1", "ai");
  assert.deepEqual(pool?.spec, {
    // Defaulted by the v1.4.0 CRD (config/crd/bases/inference.networking.k8s.io_inferencepools.yaml).
    appProtocol: "http",
    targetPorts: [{ number: 8000 }],
    selector: { matchLabels: { app: "chat", version: "v1" } },
    endpointPickerRef: {
      group: "",
      kind: "Service",
      name: "chat-v1-epp",
      port: { number: 9002 },
      failureMode: "FailClose",
    },
  });
  assert.deepEqual(modelRouteWeights("chat"), { v1: 90, v2: 10 });
  const route = get("httproutes.gateway.networking.k8s.io/chat", "ai");
  assert.ok(route, "HTTPRoute ai/chat exists");
  // The stable pool last: Istio 1.30.3 gives the rule the last backendRef's picker.
  assert.deepEqual(
    route.spec.rules[0].backendRefs.map((b: { name: string }) => b.name),
    ["chat-v2", "chat-v1"],
  );
  assert.deepEqual(route.spec.parentRefs, [
    { group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm", namespace: "llm-gateway" },
  ]);
  assert.equal(route.spec.rules[0].matches[0].headers[0].value, "meta-llama/Llama-3.1-8B-Instruct");
  const picker = get("deployments.apps/chat-v1-epp", "ai");
  assert.equal(picker?.status?.readyReplicas, 1, "the picker of chat v1 is ready");
  const args: string[] = picker.spec.template.spec.containers[0].args;
  assert.equal(args[args.indexOf("--pool-name") + 1], "chat-v1");
  // Sized as the capacity check counts it (the v1.4.0 chart would ask 4 CPUs and 8 GiB).
  const pickerPod = items("pods", "ai", "inferencepool=chat-v1-epp")[0];
  assert.deepEqual(pickerPod.spec.containers[0].resources.requests, { cpu: "200m", memory: "256Mi" });
  assert.equal(
    picker.spec.template.spec.containers[0].image,
    "registry.k8s.io/gateway-api-inference-extension/epp:v1.4.0",
  );
  // istiod consults the pickers only from gateway pods that name the Gateway, in its namespace.
  const gatewayPods = items("pods", "llm-gateway", "gateway.networking.k8s.io/gateway-name=llm");
  assert.ok(gatewayPods.length > 0, "the LLM gateway's pods carry gateway.networking.k8s.io/gateway-name: llm");
  // The simulator tokenizes in-process: no hub look-up, no render service (llm-d-inference-sim v0.10.2).
  const server = get("deployments.apps/chat-v1", "ai");
  assert.ok(
    server?.spec?.template?.spec?.containers?.[0]?.args?.includes("--force-dummy-tokenizer"),
    "the simulator of chat v1 runs with --force-dummy-tokenizer",
  );
  const gateway = get("gateways.gateway.networking.k8s.io/llm", "llm-gateway");
  assert.equal(gateway?.spec?.addresses?.[0]?.value, "llm-gateway.llm-gateway.svc.cluster.local");
  assert.ok(get("services/llm-gateway", "llm-gateway"), "the Gateway's address names a Service that exists");
  const scaler = get("scaledobjects.keda.sh/chat-v1", "ai");
  assert.equal(
    scaler?.spec?.triggers?.[0]?.metadata?.query,
    'sum(vllm:num_requests_waiting{namespace="ai",app="chat",version="v1"})',
  );
  const allow = get("authorizationpolicies.security.istio.io/chat-allow-callers", "ai");
  assert.deepEqual(allow?.spec?.rules?.[0]?.from, [
    { source: { principals: ["cluster.local/ns/llm-gateway/sa/llm-gateway"] } },
  ]);
  assert.ok(get("networkpolicies.networking.k8s.io/chat-picker-callers", "ai"), "the pickers are fenced");
  const objective = get("inferenceobjectives.inference.networking.x-k8s.io/chat", "ai");
  assert.deepEqual(objective?.spec, {
    poolRef: { group: "inference.networking.k8s.io", kind: "InferencePool", name: "chat-v1" },
    priority: 0,
  });
  log(
    "  CRDs, InferencePools chat-v1/chat-v2 with their pickers, HTTPRoute chat 90/10 (stable last), Gateway llm, InferenceObjective chat, ScaledObjects, policy",
  );
}

function assertSecurityObjects(): void {
  const peer = get("peerauthentications.security.istio.io/default", "istio-system");
  assert.equal(peer?.spec?.mtls?.mode, "STRICT", "mesh-wide PeerAuthentication is STRICT");
  const allowNothing = get("authorizationpolicies.security.istio.io/allow-nothing", "ai");
  assert.ok(allowNothing, "the allow-nothing AuthorizationPolicy exists");
  assert.deepEqual(allowNothing.spec ?? {}, {}, "allow-nothing has an empty spec");
  const principals = (app: string) =>
    (get(`authorizationpolicies.security.istio.io/${app}-allow-callers`, "ai")?.spec?.rules ?? []).flatMap(
      (rule: { from: { source: { principals: string[] } }[] }) => rule.from.flatMap((f) => f.source.principals),
    );
  assert.deepEqual(principals("web"), ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"]);
  assert.deepEqual(principals("image-processor"), ["cluster.local/ns/ai/sa/web"]);
  assert.deepEqual(principals("object-detector"), ["cluster.local/ns/ai/sa/web"]);
  log("  STRICT mTLS, allow-nothing, and ALLOW policies naming exactly their callers");
}

/** object-detector gets the pinned model from config and may reach where it downloads from. */
function assertModelAndEgress(): void {
  const container = get("deployments.apps/object-detector-v1", "ai")?.spec?.template?.spec?.containers?.[0];
  const env = Object.fromEntries((container?.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(env.MODEL_URL, DEFAULT_MODEL.env.MODEL_URL);
  assert.equal(env.MODEL_SHA256, DEFAULT_MODEL.env.MODEL_SHA256);
  assert.equal(env.MODEL_CACHE_DIR, "/models");
  assert.match(container.image, /^ghcr\.io\/ai-mesh\/ai-mesh-object-detector:[\d.]+-cpu$/);
  const entry = get("serviceentries.networking.istio.io/object-detector-egress", "ai");
  assert.deepEqual(entry?.spec?.hosts, DEFAULT_MODEL.egress);
  assert.deepEqual(entry?.spec?.exportTo, ["."]);
  log(`  object-detector: model ${env.MODEL_SHA256.slice(0, 12)}…, egress to ${entry.spec.hosts.join(", ")}`);
}

/** The metrics API the HPAs read: registered by the stack's metrics-server, pointing at its Service. */
function assertMetricsApi(): void {
  const api = get(`apiservice/${METRICS_API_SERVICE}`);
  assert.ok(api, `APIService ${METRICS_API_SERVICE} exists`);
  assert.deepEqual(
    { name: api.spec.service.name, namespace: api.spec.service.namespace },
    { name: "metrics-server", namespace: METRICS_SERVER_NAMESPACE },
  );
  const deployment = get("deployments.apps/metrics-server", METRICS_SERVER_NAMESPACE);
  assert.equal(deployment?.spec?.replicas, 2, "metrics-server runs two replicas");
  assert.ok(get("poddisruptionbudgets.policy/metrics-server", METRICS_SERVER_NAMESPACE), "metrics-server has a PDB");
  const hpas = items("horizontalpodautoscalers.autoscaling", "ai");
  assert.ok(hpas.length > 0 && hpas.every((h) => h.spec.metrics[0].resource.name === "cpu"));
  log(
    `  APIService ${METRICS_API_SERVICE} → ${METRICS_SERVER_NAMESPACE}/metrics-server (2 replicas, PDB) for ${hpas.length} HPAs`,
  );
}

/** The envoy-stats PodMonitor keeps pods that declare an Envoy port: the real gateway pods must. */
function assertGatewayScraped(): void {
  const pods = items("pods", "istio-ingress", "istio=ingressgateway");
  assert.ok(pods.length > 0, "gateway pods exist");
  const envoyPort = new RegExp(`^${ENVOY_PORT_NAME_REGEX}$`);
  for (const pod of pods) {
    assert.equal(pod.metadata.labels?.["istio-prometheus-ignore"], undefined);
    const ports = pod.spec.containers.flatMap((c: { ports?: { name?: string }[] }) => c.ports ?? []);
    assert.ok(
      ports.some((port: { name?: string }) => envoyPort.test(port.name ?? "")),
      `gateway pod ${pod.metadata.name} declares an Envoy port the PodMonitor keeps`,
    );
  }
  log(`  the envoy-stats PodMonitor selects all ${pods.length} gateway pod(s)`);
}

async function lifecycle(stack: Stack, stackFile: string): Promise<void> {
  const progress = progressPrinter(log);

  await step("1a. preview of a new stack succeeds", async () => {
    const changes = await pendingChanges(stack);
    assert.ok(changes.length > 0 && changes.every((c) => c.op === "create"), "a new stack only creates");
    log(`  ${changes.length} resources to create`);
  });

  await step("1b. up creates every resource; Deployments and Releases are ready; outputs as documented", async () => {
    const result = await stack.up({ onEvent: progress });
    assert.equal(result.summary.result, "succeeded");
    const changes = result.summary.resourceChanges ?? {};
    assert.deepEqual(Object.keys(changes).sort(), ["create"], `up only creates (${JSON.stringify(changes)})`);
    log(`  created ${changes.create} resources`);
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    assert.equal(outputs.mode, "existing");
    assert.equal(outputs.clusterName, "ai-mesh");
    assert.equal(outputs.meshRootNamespace, "istio-system");
    assert.equal(outputs.ingressNamespace, "istio-ingress");
    assert.deepEqual(outputs.canaryWeights.objectDetector, { v1: 60, v2: 30, v3: 10 });
    assert.deepEqual(outputs.canaryWeights.chat, { v1: 90, v2: 10 });
    assert.equal(
      outputs.grafanaAdminSecret,
      `${OBSERVABILITY_NAMESPACE}/${ADMIN_SECRET} (keys admin-user, admin-password; kept outside this stack)`,
    );
    assert.equal(outputs.grafanaAdminPassword, undefined, "no generated password with an existing Secret");
    const undocumented = Object.keys(outputs).filter((key) => !documentedOutputs().includes(key));
    assert.deepEqual(undocumented, [], "every stack output is in the README's Outputs table");
    assertReady();
  });

  await step("2. a second preview reports no changes, and a second up changes nothing", async () => {
    await stack.preview({ expectNoChanges: true });
    const again = await stack.up({ onEvent: progress });
    assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"]);
  });

  await step("3. a weight change updates only that service's VirtualService", async () => {
    assert.deepEqual(readWeights(stackFile, "objectDetector"), { v1: 60, v2: 30, v3: 10 });
    writeWeights(stackFile, "objectDetector", { v1: 100, v2: 0, v3: 0 });
    const planned = (await pendingChanges(stack)).map(describeChange);
    assert.deepEqual(planned, ["update kubernetes:networking.istio.io/v1:VirtualService platform-object-detector-vs"]);
    const applied = changeCollector();
    const result = await stack.up({ onEvent: (e) => (applied.onEvent(e), progress(e)) });
    assert.deepEqual(applied.changes.map(describeChange), planned);
    assert.equal(result.summary.resourceChanges?.update, 1);
    assert.deepEqual(virtualServiceWeights("object-detector"), { v1: 100, v2: 0, v3: 0 });
    log("  cluster VirtualService ai/object-detector: v1 100, v2 0, v3 0");
  });

  // 50/50 keeps v1 the heaviest (a tie goes to the first declared), so the InferenceObjective stays too.
  await step("3a. a model canary weight changes only the model's HTTPRoute: pools, pickers, servers stay", async () => {
    const before = modelObjects();
    assert.ok(
      Object.keys(before).length >= 6,
      `pools, servers, pickers and scalers exist (${Object.keys(before).join(", ")})`,
    );
    writeWeights(stackFile, "chat", { v1: 50, v2: 50 });
    const planned = (await pendingChanges(stack)).map(describeChange);
    assert.deepEqual(planned, [`update ${HTTP_ROUTE} platform-chat-route`]);
    const applied = changeCollector();
    await stack.up({ onEvent: (e) => (applied.onEvent(e), progress(e)) });
    assert.deepEqual(applied.changes.map(describeChange), planned);
    assert.deepEqual(modelRouteWeights("chat"), { v1: 50, v2: 50 });
    assert.deepEqual(modelObjects(), before, "no pool, picker, model server or scaler changed");
    writeWeights(stackFile, "chat", { v1: 90, v2: 10 });
    await stack.up({ onEvent: progress });
    assert.deepEqual(modelRouteWeights("chat"), { v1: 90, v2: 10 });
    log("  HTTPRoute ai/chat: 90/10 → 50/50 → 90/10; InferencePools, pickers, servers and scalers untouched");
  });

  await step("3b. renaming the kube context replaces nothing (the stated cluster name is the identity)", async () => {
    const kubeconfig = path.join(path.dirname(stackFile), "kubeconfig-renamed");
    fs.copyFileSync(process.env.KUBECONFIG!, kubeconfig);
    const context = kubectl(["config", "current-context"]).trim();
    kubectl(["--kubeconfig", kubeconfig, "config", "rename-context", context, `${context}-renamed`]);
    setStackValues(stackFile, [
      [["ai-mesh:cluster", "kubeconfig"], kubeconfig],
      [["ai-mesh:cluster", "context"], `${context}-renamed`],
    ]);
    const planned = (await pendingChanges(stack)).map(describeChange);
    assert.deepEqual(planned, ["update pulumi:providers:kubernetes cluster-k8s"], "only the provider's inputs change");
    const result = await stack.up({ onEvent: progress });
    assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}).sort(), ["same", "update"]);
    assert.equal(result.summary.resourceChanges?.update, 1);
  });

  await step(
    "4. the cluster holds the security objects, routes, the metrics API, the detector's model and egress, the LLM layer",
    () => {
      assertSecurityObjects();
      assertMetricsApi();
      assertModelAndEgress();
      assert.deepEqual(virtualServiceWeights("web"), { v1: 100 });
      assertGatewayScraped();
      assertInference();
    },
  );
}

/**
 * npm run canary's engine on this stack, with a real Prometheus serving synthetic Istio traffic:
 * object-detector v2 healthy, v3 at 5 % errors. Every applied step is read back from the cluster.
 */
async function canary(project: { dir: string; envVars: Record<string, string> }): Promise<void> {
  if (!onPath("promtool") || !onPath("prometheus")) {
    const why = "promtool and prometheus are not on PATH";
    // CI sets REQUIRE_TOOLS=1: there a missing tool fails the run instead of hiding steps 5–7.
    if (REQUIRE_TOOLS) throw new Error(`steps 5–7 (canary) cannot run: ${why}, and REQUIRE_TOOLS=1`);
    log(`\n${"!".repeat(100)}\n! SKIPPED 5–7 (canary promotion, rollback, interruption): ${why}\n${"!".repeat(100)}`);
    return;
  }
  const prometheus = await startPrometheus(
    [
      { app: "object-detector", version: "v1", rps: 20, errorPercent: 0, latencyMs: 120 },
      { app: "object-detector", version: "v2", rps: 20, errorPercent: 0.1, latencyMs: 110 },
      { app: "object-detector", version: "v3", rps: 20, errorPercent: 5, latencyMs: 130 },
      // Model requests as the model servers' sidecars report them: whole generations, seconds long.
      { app: "chat", version: "v1", rps: 10, errorPercent: 0, latencyMs: 2500 },
      { app: "chat", version: "v2", rps: 10, errorPercent: 0, latencyMs: 2200 },
    ],
    1,
    1800,
  );
  const readBack: Weights[] = [];
  const options = {
    workDir: project.dir,
    stack: STACK,
    service: "objectDetector",
    prometheus: prometheus.url,
    overrides: { interval: "3s" },
    envVars: project.envVars,
    outDir: path.join(project.dir, "out"),
    log: (line: string) => log(`  ${line}`),
    onApplied: (weights: Weights) => {
      const cluster = virtualServiceWeights("object-detector");
      assert.deepEqual(cluster, weights, "the cluster's VirtualService holds the step's weights");
      readBack.push(cluster);
    },
  };
  try {
    await step("5. canary: v2 is promoted from 0 to 100 in steps, each read back from the cluster", async () => {
      const result = await promote({ ...options, to: "v2" });
      assert.equal(result.outcome, "promoted");
      assert.deepEqual(
        readBack.map((w) => w.v2),
        [5, 10, 25, 50, 100],
      );
      assert.deepEqual(readWeights(path.join(project.dir, `Pulumi.${STACK}.yaml`), "objectDetector"), {
        v1: 0,
        v2: 100,
        v3: 0,
      });
    });
    await step("6. canary: v3 at 5 % errors is rolled back to 0, read back from the cluster", async () => {
      readBack.length = 0;
      const result = await promote({ ...options, to: "v3" });
      assert.equal(result.outcome, "rolled-back");
      assert.deepEqual(readBack, [
        { v1: 0, v2: 95, v3: 5 },
        { v1: 0, v2: 100, v3: 0 },
      ]);
      assert.deepEqual(virtualServiceWeights("object-detector"), { v1: 0, v2: 100, v3: 0 });
    });
    const stackFile = path.join(project.dir, `Pulumi.${STACK}.yaml`);
    /** --rollback of the promotion under way: v2 back at 100 (where v1's promotion started), everywhere. */
    const rollBackToStart = async () => {
      const back = await promote({ ...options, rollback: true });
      assert.equal(back.outcome, "rolled-back");
      assert.deepEqual(virtualServiceWeights("object-detector"), { v1: 0, v2: 100, v3: 0 });
      assert.deepEqual(readWeights(stackFile, "objectDetector"), { v1: 0, v2: 100, v3: 0 });
    };
    await step(
      "7a. canary: interrupted after a step, the file and cluster agree; --rollback restores the start",
      async () => {
        const controller = new AbortController();
        const interrupted = await promote({
          ...options,
          to: "v1",
          signal: controller.signal,
          onApplied: (weights) => (options.onApplied(weights), controller.abort()),
        });
        assert.equal(interrupted.outcome, "interrupted");
        assert.deepEqual(readWeights(stackFile, "objectDetector"), { v1: 5, v2: 95, v3: 0 });
        assert.deepEqual(virtualServiceWeights("object-detector"), { v1: 5, v2: 95, v3: 0 });
        await rollBackToStart();
      },
    );
    await step(
      "7b. canary: interrupted during a step's up, the stack file is made to say what the cluster holds",
      async () => {
        const controller = new AbortController();
        const interrupted = await promote({
          ...options,
          to: "v1",
          signal: controller.signal,
          // Ctrl-C the moment the update starts changing the VirtualService (not its preview).
          onEvent: (event) => {
            const pre = event.resourcePreEvent;
            if (pre && !pre.planning && pre.metadata.type === VIRTUAL_SERVICE) controller.abort();
          },
        });
        assert.equal(interrupted.outcome, "interrupted");
        const cluster = virtualServiceWeights("object-detector");
        assert.deepEqual(readWeights(stackFile, "objectDetector"), cluster, "the stack file says what the cluster has");
        assert.deepEqual(interrupted.weights, cluster, "the result says what the cluster has");
        assert.ok(
          [JSON.stringify({ v1: 0, v2: 100, v3: 0 }), JSON.stringify({ v1: 5, v2: 95, v3: 0 })].includes(
            JSON.stringify(cluster),
          ),
          `the cluster holds the step's weights or the ones before it, not a mix (${JSON.stringify(cluster)})`,
        );
        log(`  cancelled mid-update: cluster, state and stack file all say ${JSON.stringify(cluster)}`);
        const stack = await openStack({ stackName: STACK, workDir: project.dir, envVars: project.envVars });
        await stack.preview({ expectNoChanges: true });
        await rollBackToStart();
      },
    );
    await step(
      "7c. canary: a model version (chat v2) is promoted through its HTTPRoute, each step read back",
      async () => {
        const applied: Weights[] = [];
        const result = await promote({
          ...options,
          service: "chat",
          to: "v2",
          overrides: { interval: "3s", steps: [50, 100] },
          onApplied: (weights: Weights) => {
            const cluster = modelRouteWeights("chat");
            assert.deepEqual(cluster, weights, "the cluster's HTTPRoute holds the step's weights");
            applied.push(cluster);
          },
        });
        assert.equal(result.outcome, "promoted");
        assert.deepEqual(
          applied.map((w) => w.v2),
          [50, 100],
        );
        assert.deepEqual(readWeights(stackFile, "chat"), { v1: 0, v2: 100 });
        // At 100 v2 is the heaviest: its picker serves the route, so the priority moved to its pool.
        const objective = get("inferenceobjectives.inference.networking.x-k8s.io/chat", "ai");
        assert.equal(objective?.spec?.poolRef?.name, "chat-v2", "the InferenceObjective follows the heaviest pool");
        log("  HTTPRoute ai/chat: v2 at 50, then 100, judged on the model servers' own request metrics");
        log("  InferenceObjective ai/chat: moved to pool chat-v2 with the 100 step");
      },
    );
  } finally {
    await prometheus.stop();
  }
}

async function destroy(stack: Stack): Promise<void> {
  await step("8. destroy removes everything the stack created", async () => {
    const result = await stack.destroy({ onEvent: progressPrinter(log) });
    assert.equal(result.summary.result, "succeeded");
    const state = await stack.exportStack();
    assert.deepEqual(state.deployment.resources ?? [], [], "the stack holds no resources");
    const left = STACK_NAMESPACES.filter((ns) => get(`namespace/${ns}`));
    assert.deepEqual(left, [], "the stack's namespaces are gone");
    assert.deepEqual(helmReleases(), [], "no Helm release is left");
    const crds = INFERENCE_CRDS.filter((crd) => get(`customresourcedefinition/${crd}`));
    assert.deepEqual(crds, [], "the Gateway API and Inference Extension CRDs are gone");
  });
}

async function main(): Promise<number> {
  const problems = preflight();
  if (problems.length > 0) {
    console.error(
      `✗ npm run e2e needs the Pulumi CLI, kubectl and a cluster: ${problems.join("; ")}.\n` +
        '  With the project\'s toolchain: eval "$(../shared/tools/setup.sh)" && eval "$(../shared/tools/cluster-up.sh)"\n' +
        "  Or any cluster: kind create cluster --name ai-mesh && export KUBECONFIG=~/.kube/config",
    );
    return 2;
  }
  const started = Date.now();
  const project = scratchProject();
  let stack: Stack | undefined;
  let ok = false;
  try {
    await step("0. create the Grafana admin Secret (kept outside the stack) and the stack", async () => {
      createAdminSecret();
      stack = await openStack({ stackName: STACK, workDir: project.dir, envVars: project.envVars });
    });
    await lifecycle(stack!, project.stackFile);
    await canary(project);
    await destroy(stack!);
    ok = true;
  } catch (error) {
    console.error(`\n✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (stack) {
      log("\ncleaning up after the failure: destroy");
      await stack.destroy({ onEvent: progressPrinter(log) }).catch((e) => console.error(`  destroy failed: ${e}`));
    }
  } finally {
    await stack?.workspace.removeStack(STACK).catch(() => undefined);
    remove(`namespace/${OBSERVABILITY_NAMESPACE}`);
    fs.rmSync(project.dir, { recursive: true, force: true });
  }
  log(`\n${ok ? "✓ e2e passed" : "✗ e2e failed"} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok ? 0 : 1;
}

// No flags but --help: anything else is refused (exit 2) rather than starting a real run on a cluster.
const command = {
  usage: ["npm run e2e"],
  about:
    "The real program on the real Pulumi engine against the cluster KUBECONFIG points at, on a throw-away\n" +
    "stack: up, a no-op second up, a canary promotion, destroy. Needs the Pulumi CLI and kubectl.",
  flags: {},
} satisfies Command;

runCommand(command, main);
