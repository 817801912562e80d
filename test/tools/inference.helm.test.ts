// The Inference Extension's charts, KEDA's and the LLM gateway's, rendered by the real helm with the
// values the program sends: what they create is what the rest of the program counts on (names,
// labels and ports its route, NetworkPolicies and injector exclusion name), and the picker's RBAC
// is least privilege.
import * as path from "path";
import { parse } from "yaml";
import { endpointPickerConfig, PICKER_CONFIG_FILE } from "../../components/inference/pickerConfig";
import { deploy, type RunResult } from "../../plan/engine";
import { one } from "../../plan/query";
import type { RecordedResource } from "../../plan/recorder";
import { envoyFilterFindings } from "../../policy/shared/envoyFilters";
import { helmTemplate } from "../support/charts";
import { describeWithTools } from "../support/tools";
import { INFERENCE_EXTENSION_VERSION } from "../../components/charts/inferenceExtension";
import {
  BBR_NAME,
  CHART_POD_RESOURCES,
  GATEWAY_NAME_LABEL,
  LLM_GATEWAY,
  BBR_PORT,
  LLM_GATEWAY_RELEASE,
  PICKER_POD_LABEL,
  PICKER_PORTS,
} from "../../components/core/inferenceNames";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered Kubernetes objects

describeWithTools(["helm", "charts"], "the LLM layer's charts, rendered with the program's values", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });
  const packaged = (r: RecordedResource) =>
    path.join(process.env.AI_MESH_CHARTS!, `${path.basename(String(r.inputs.chart))}-${r.inputs.version}.tgz`);
  const render = (name: string): Json[] => {
    const r = one(run.resources, RELEASE, name);
    return helmTemplate(packaged(r), String(r.inputs.name), String(r.inputs.namespace), r.inputs.values);
  };
  const of = (objects: Json[], kind: string) => objects.filter((o) => o.kind === kind);

  it("inferencepool: an InferencePool v1 over the version's pods, and its picker where the route and fences expect it", () => {
    const objects = render("platform-chat-v1-pool");
    const [pool] = of(objects, "InferencePool");
    expect(pool.apiVersion).toBe("inference.networking.k8s.io/v1");
    expect(pool.metadata).toMatchObject({ name: "chat-v1", namespace: "ai" });
    expect(pool.spec).toEqual({
      targetPorts: [{ number: 8000 }],
      selector: { matchLabels: { app: "chat", version: "v1" } },
      endpointPickerRef: { name: "chat-v1-epp", port: { number: PICKER_PORTS.extProc }, failureMode: "FailClose" },
    });
    const [picker] = of(objects, "Deployment");
    // The injector's exclusion and the NetworkPolicy select the picker pods by this label.
    expect(picker.spec.template.metadata.labels).toEqual({
      [PICKER_POD_LABEL]: "chat-v1-epp",
      // v1.4.0 adds the mode (config/charts/epplib/templates/_helpers.tpl, modeLabels).
      "inference.networking.k8s.io/igw-mode": "inferencepool",
    });
    const args: string[] = picker.spec.template.spec.containers[0].args;
    const flag = (name: string) => args[args.indexOf(`--${name}`) + 1];
    expect(flag("pool-name")).toBe("chat-v1");
    expect(flag("model-server-metrics-port")).toBe("15020");
    expect(flag("model-server-metrics-path")).toBe("/stats/prometheus");
    // The v1.4.0 picker exits on a metric-name flag (pkg/epp/server/options.go, Validate).
    for (const deprecated of ["kv-cache-usage-percentage-metric", "lora-info-metric", "total-queued-requests-metric"]) {
      expect(args).not.toContain(`--${deprecated}`);
    }
    // The scorers, stated: the chart mounts our file beside its default and the picker reads ours
    // (GIE v1.4.0 config/charts/epplib/templates/_config.yaml, _deployment.yaml).
    expect(flag("config-file")).toBe(`/config/${PICKER_CONFIG_FILE}`);
    const [config] = of(objects, "ConfigMap").filter((c) => c.metadata.name === "chat-v1-epp");
    const loaded = parse(config.data[PICKER_CONFIG_FILE]) as Json;
    expect(loaded).toEqual(endpointPickerConfig());
    expect(loaded.schedulingProfiles[0].plugins).toEqual([
      { pluginRef: "queue-scorer", weight: 2 },
      { pluginRef: "kv-cache-utilization-scorer", weight: 2 },
      { pluginRef: "prefix-cache-scorer", weight: 3 },
      { pluginRef: "max-score-picker" },
    ]);
    // Its metrics answer only with a token: no --metrics-endpoint-auth=false.
    expect(args).not.toContain("--metrics-endpoint-auth=false");
    // The image of the chart's own release, the release of the CRDs (one GIE version everywhere).
    expect(picker.spec.template.spec.containers[0].image).toBe(
      `registry.k8s.io/gateway-api-inference-extension/epp:${INFERENCE_EXTENSION_VERSION}`,
    );
    // Sized as the capacity check counts it, not the chart's 4 CPUs and 8 GiB.
    expect(picker.spec.template.spec.containers[0].resources).toEqual(CHART_POD_RESOURCES);
    const [service] = of(objects, "Service");
    expect(service.spec.ports.map((p: Json) => p.port)).toEqual([PICKER_PORTS.extProc, PICKER_PORTS.metrics]);
    // The gateway reaches the picker's own TLS through this DestinationRule.
    const [rule] = of(objects, "DestinationRule");
    expect(rule.spec).toEqual({
      host: "chat-v1-epp.ai.svc.cluster.local",
      trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } },
    });
    const [monitor] = of(objects, "ServiceMonitor");
    expect(monitor.spec.endpoints[0]).toMatchObject({
      port: "http-metrics",
      authorization: { credentials: { key: "token", name: "chat-v1-epp-metrics-reader" } },
    });
  });

  it("inferencepool: the picker may only read pods and pools in its namespace, and review its scrapers' tokens", () => {
    const objects = render("platform-chat-v1-pool");
    // v1.4.0 splits them in two Roles (<picker>-sa: pods; <picker>-non-sa: the inference kinds). It
    // watches InferenceModelRewrites too, whose CRD the bundle therefore installs.
    const roles = of(objects, "Role");
    expect(roles.map((r) => r.metadata.namespace)).toEqual(roles.map(() => "ai"));
    const rules = roles.flatMap((r) => r.rules);
    for (const rule of rules) expect(rule.verbs).toEqual(["get", "watch", "list"]);
    expect(rules.flatMap((r: Json) => r.resources).sort()).toEqual([
      "inferencemodelrewrites",
      "inferenceobjectives",
      "inferencepools",
      "pods",
    ]);
    const [clusterRole] = of(objects, "ClusterRole");
    expect(clusterRole.rules).toEqual([
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ]);
    const bindings = [...of(objects, "RoleBinding"), ...of(objects, "ClusterRoleBinding")];
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "chat-v1-epp", namespace: "ai" }]);
    }
    expect(JSON.stringify(objects)).not.toContain('"*"');
  });

  it("body-based routing: a router the gateway namespace's proxies call first, on the port the fence opens", () => {
    const objects = render("inference-gateway-body-based-routing");
    const [router] = of(objects, "Deployment");
    expect(router.spec.template.metadata.labels).toEqual({ app: BBR_NAME });
    // No --plugin: the chart's default-bbr is a type the v1.4.0 router does not register (it would exit).
    expect(router.spec.template.spec.containers[0].args).toEqual(["--streaming", "--v", "3"]);
    expect(router.spec.template.spec.containers[0].image).toBe(
      `registry.k8s.io/gateway-api-inference-extension/bbr:${INFERENCE_EXTENSION_VERSION}`,
    );
    const [service] = of(objects, "Service");
    expect(service.spec.ports[0].port).toBe(BBR_PORT);
    const [filter] = of(objects, "EnvoyFilter");
    // No workload selector: it applies to every proxy of its namespace, which holds the LLM gateway alone.
    expect(filter.metadata.namespace).toBe("llm-gateway");
    expect(filter.spec.workloadSelector).toBeUndefined();
    expect(filter.spec.configPatches[0].patch.operation).toBe("INSERT_FIRST");
    // An absolute operation: istioctl analyze asks no priority of it (IST0151 is for relative ones).
    expect(envoyFilterFindings(of(objects, "EnvoyFilter"))).toEqual([]);
    expect(of(objects, "DestinationRule")[0].spec.trafficPolicy.tls).toEqual({
      mode: "SIMPLE",
      insecureSkipVerify: true,
    });
  });

  it("the LLM gateway: pods, ServiceAccount and Service named as the Gateway's address and the model servers' policy say", () => {
    const objects = render("inference-gateway-deployment");
    const [deployment] = of(objects, "Deployment");
    // The chart's `labels` reach the pods: istiod then adds the pickers' ext_proc filter to their
    // listeners, since they name our Gateway, in its namespace (Istio 1.30.3 listener_builder.go).
    const gateway = one(run.resources, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "inference-gateway-gateway");
    const gatewayMeta = gateway.inputs.metadata as { name: string; namespace: string };
    expect(deployment.spec.template.metadata.labels).toMatchObject({
      istio: "llm-gateway",
      [GATEWAY_NAME_LABEL]: gatewayMeta.name,
    });
    expect(gatewayMeta.name).toBe(LLM_GATEWAY);
    expect(deployment.metadata.namespace).toBe(gatewayMeta.namespace);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(LLM_GATEWAY_RELEASE);
    const [service] = of(objects, "Service");
    expect(service.metadata).toMatchObject({ name: LLM_GATEWAY_RELEASE, namespace: "llm-gateway" });
    // The dev stack's NLB terminates TLS on 443 and forwards to the gateway's own 8443; no port 80
    // (an API client's token would already be in cleartext before any redirect).
    expect(service.spec.ports.map((p: Json) => [p.port, p.targetPort])).toEqual([[443, 8443]]);
  });

  it("KEDA: the three pods on the system nodes, sized as counted; the external metrics API; fallback that holds", () => {
    const objects = render("keda");
    const deployments = of(objects, "Deployment");
    expect(deployments).toHaveLength(3);
    for (const deployment of deployments) {
      expect(deployment.spec.template.spec.nodeSelector).toMatchObject({ "ai-mesh/node-role": "system" });
      expect(deployment.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "100m", memory: "100Mi" });
    }
    expect(of(objects, "APIService").map((a) => a.metadata.name)).toEqual(["v1beta1.external.metrics.k8s.io"]);
    const crd = of(objects, "CustomResourceDefinition").find((c) => c.spec.names.kind === "ScaledObject");
    const fallback = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.fallback;
    expect(fallback.properties.behavior.enum).toContain("currentReplicasIfHigher");
  });
});
