import { deploy, runProgram, type RunResult } from "../plan/engine";
import { at, dependsOn, ofType, one } from "../plan/query";
import { parse } from "yaml";
import { RecordedSecret } from "../plan/recorder";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- chart values as recorded

describe("Observability (dev stack)", () => {
  let run: RunResult;
  const release = (name: string) => one(run.resources, RELEASE, `observability-${name}`);
  const values = (name: string): Json => release(name).inputs.values;
  beforeAll(async () => {
    run = await deploy();
  });

  it("pins every chart and installs it in the monitoring namespace (Kiali next to Grafana's Secret)", () => {
    const pinned = (name: string) => [
      release(name).inputs.chart,
      release(name).inputs.version,
      release(name).inputs.namespace,
    ];
    expect(pinned("kube-prometheus-stack")).toEqual(["kube-prometheus-stack", "83.6.0", "monitoring"]);
    expect(pinned("jaeger")).toEqual(["jaeger", "4.1.0", "monitoring"]);
    expect(pinned("dcgm-exporter")).toEqual(["dcgm-exporter", "4.8.2", "monitoring"]);
    expect(pinned("kiali")).toEqual(["kiali-server", "2.29.0", "monitoring"]);
    expect(
      at(one(run.resources, "kubernetes:core/v1:Namespace", "observability-namespace").inputs, "metadata.name"),
    ).toBe("monitoring");
  });

  it("keeps Prometheus data on a gp3 volume for the configured retention and picks up monitors everywhere", () => {
    const prometheus = values("kube-prometheus-stack").prometheus.prometheusSpec;
    expect(prometheus).toMatchObject({
      retention: "7d",
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorNamespaceSelector: {},
      podMonitorNamespaceSelector: {},
      ruleNamespaceSelector: {},
    });
    expect(prometheus.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "gp3",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "20Gi" } },
    });
    const namespace = one(run.resources, "kubernetes:core/v1:Namespace", "observability-namespace");
    expect(dependsOn(namespace, one(run.resources, "kubernetes:storage.k8s.io/v1:StorageClass"))).toBe(true);
  });

  it("takes the Grafana admin password from RandomPassword into a Secret and exports it only as a secret", () => {
    const password = one(run.resources, "random:index/randomPassword:RandomPassword");
    expect(password.inputs).toMatchObject({ length: 32, special: false });
    // Default providers are disabled for random too: the password uses the stack's one random provider.
    const randomProvider = one(run.resources, "pulumi:providers:random");
    expect(password.provider).toBe(randomProvider.urn);
    expect(randomProvider.parent).toMatch(/pulumi:pulumi:Stack::ai-mesh-dev$/);
    expect(run.outputs.grafanaAdminSecret).toBe("monitoring/grafana-admin (keys admin-user, admin-password)");
    const secret = one(run.resources, "kubernetes:core/v1:Secret", "observability-grafana-admin");
    // Secretness is carried by all of stringData; inside it is the generated password.
    expect(secret.inputs.stringData).toBeInstanceOf(RecordedSecret);
    const data = (secret.inputs.stringData as RecordedSecret).value as Record<string, unknown>;
    expect(data["admin-user"]).toBe("admin");
    expect(data["admin-password"]).toMatch(/^Mock[0-9a-f]{24}!$/);
    expect(values("kube-prometheus-stack").grafana.admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(run.outputs.grafanaAdminPassword).toBeInstanceOf(RecordedSecret);
    expect((run.outputs.grafanaAdminPassword as RecordedSecret).value).toMatch(/^Mock[0-9a-f]{24}!$/);
    expect(JSON.stringify(values("kube-prometheus-stack"))).not.toContain("Mock");
  });

  it("provisions the Istio and NVIDIA DCGM dashboards from grafana.com", () => {
    const grafana = values("kube-prometheus-stack").grafana;
    expect(grafana.dashboards.istio).toEqual({
      "istio-mesh": { gnetId: 7639, revision: 202, datasource: "Prometheus" },
      "istio-service": { gnetId: 7636, revision: 202, datasource: "Prometheus" },
      "istio-workload": { gnetId: 7630, revision: 202, datasource: "Prometheus" },
      "istio-control-plane": { gnetId: 7645, revision: 202, datasource: "Prometheus" },
    });
    expect(grafana.dashboards.gpu).toEqual({ "nvidia-dcgm": { gnetId: 12239, revision: 2, datasource: "Prometheus" } });
    expect(grafana.dashboardProviders["dashboardproviders.yaml"].providers.map((p: Json) => p.options.path)).toEqual([
      "/var/lib/grafana/dashboards/istio",
      "/var/lib/grafana/dashboards/gpu",
    ]);
  });

  it("scrapes Envoy stats on 15020 from every sidecar and gateway, and istiod's monitoring port", () => {
    const envoy = one(run.resources, "kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs.spec as Json;
    expect(envoy.namespaceSelector).toEqual({ any: true });
    // Not security.istio.io/tlsMode, which gateway pods lack: every pod that declares an Envoy port.
    expect(envoy.selector).toEqual({
      matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }],
    });
    expect(envoy.podMetricsEndpoints[0].relabelings[0]).toEqual({
      action: "keep",
      sourceLabels: ["__meta_kubernetes_pod_container_port_name"],
      regex: ".*-envoy-prom",
    });
    expect(envoy.podMetricsEndpoints[0].path).toBe("/stats/prometheus");
    expect(envoy.podMetricsEndpoints[0].relabelings).toContainEqual({
      action: "replace",
      sourceLabels: ["__meta_kubernetes_pod_ip"],
      targetLabel: "__address__",
      regex: "(.+)",
      replacement: "$1:15020",
    });
    const istiod = one(run.resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "observability-istiod");
    expect(istiod.inputs.spec).toEqual({
      jobLabel: "istio",
      namespaceSelector: { matchNames: ["istio-system"] },
      selector: { matchLabels: { istio: "pilot" } },
      endpoints: [{ port: "http-monitoring", interval: "15s" }],
    });
    expect(dependsOn(istiod, release("kube-prometheus-stack"))).toBe(true);
  });

  it("runs the DCGM exporter on GPU nodes with a ServiceMonitor on its metrics port that keeps its pod labels", () => {
    expect(values("dcgm-exporter")).toEqual({
      serviceMonitor: { enabled: false },
      resources: { requests: { cpu: "100m", memory: "256Mi" } },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      nodeSelector: { "nvidia.com/gpu.present": "true" },
    });
    const monitor = one(
      run.resources,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      "observability-dcgm-exporter",
    );
    expect(monitor.inputs.spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "dcgm-exporter" } },
      endpoints: [{ port: "metrics", interval: "15s", path: "/metrics", honorLabels: true }],
    });
  });

  it("alerts on the right metrics with thresholds from config (their behaviour: alerts.promtool.test.ts)", () => {
    const groups = (one(run.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec as Json)
      .groups;
    const rules = groups.flatMap((g: Json) => g.rules);
    const byName = (alert: string) => rules.filter((r: Json) => r.alert === alert);
    expect(byName("AiServiceHighErrorRatio")[0].expr).toBe(
      'sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",destination_service_namespace="ai",response_code=~"5.."}[5m]))' +
        ' / sum by (destination_service_name) (rate(istio_requests_total{reporter="destination",destination_service_namespace="ai"}[5m])) > 0.05',
    );
    expect(byName("AiServiceHighLatencyP99")[0].expr).toBe(
      'histogram_quantile(0.99, sum by (destination_service_name, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="ai"}[5m]))) > 3000',
    );
    // One rule per service with canaries, each alert labelled with the app and version.
    // A model server's sidecar reports its requests like any service's: chat has its canary rule too.
    expect(byName("CanaryErrorRateAboveStable").map((r: Json) => r.labels)).toEqual([
      { severity: "warning", service: "image-processor" },
      { severity: "warning", service: "object-detector" },
      { severity: "warning", service: "chat" },
    ]);
    expect(byName("GpuSaturated")[0].expr).toBe("avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL) > 90");
    // The istiod ServiceMonitor's jobLabel names the job after the Service's istio label: "pilot".
    expect(byName("IstiodDown")[0].expr).toBe('absent(up{job="pilot"} == 1)');
  });

  it("runs Jaeger receiving OTLP where the mesh sends spans, and wires Kiali to Prometheus, Grafana and Jaeger", () => {
    expect(values("jaeger")).toMatchObject({
      allInOne: { enabled: true, service: { headless: false } },
      storage: { type: "memory" },
    });
    expect(parse(values("jaeger").userconfig).extensions.jaeger_storage).toEqual({
      backends: { primary_store: { memory: { max_traces: 100000 } } },
    });
    const mesh = one(run.resources, RELEASE, "mesh-istiod").inputs.values as Json;
    expect(mesh.meshConfig.extensionProviders[0].opentelemetry.service).toBe(
      "jaeger-collector.monitoring.svc.cluster.local",
    );
    const kiali = values("kiali").external_services;
    expect(kiali.prometheus.url).toBe("http://kps-prometheus.monitoring.svc.cluster.local:9090");
    expect(kiali.grafana).toMatchObject({
      internal_url: "http://kps-grafana.monitoring.svc.cluster.local:80",
      auth: { type: "basic", username: "admin", password: "secret:grafana-admin:admin-password" },
    });
    expect(kiali.tracing).toMatchObject({
      provider: "jaeger",
      internal_url: "http://jaeger-query.monitoring.svc.cluster.local:16685",
    });
    expect(values("kiali").external_services.istio).toEqual({ root_namespace: "istio-system" });
    // Kiali reads Secrets of its own namespace: the one Grafana admin Secret serves both.
    const adminSecret = one(run.resources, "kubernetes:core/v1:Secret", "observability-grafana-admin");
    expect(at(adminSecret.inputs, "metadata")).toEqual({ name: "grafana-admin", namespace: "monitoring" });
    expect(dependsOn(release("kiali"), adminSecret)).toBe(true);
    expect(ofType(run.resources, "kubernetes:core/v1:Secret").map((r) => r.name)).toEqual([
      "observability-grafana-admin",
    ]);
  });

  it("says how to reach every UI", () => {
    expect(run.outputs).toMatchObject({
      grafana: expect.stringContaining("kubectl -n monitoring port-forward svc/kps-grafana 3000:80"),
      prometheus: expect.stringContaining("kubectl -n monitoring port-forward svc/kps-prometheus 9090:9090"),
      alertmanager: expect.stringContaining("svc/kps-alertmanager 9093:9093"),
      kiali: expect.stringContaining("kubectl -n monitoring port-forward svc/kiali 20001:20001"),
      tracing: expect.stringContaining("kubectl -n monitoring port-forward svc/jaeger-query 16686:16686"),
    });
  });
});

describe("Observability without a GPU", () => {
  it("drops the DCGM exporter, its monitor, dashboard and alert", async () => {
    const run = await deploy({ stack: "local" });
    const names = ofType(run.resources, RELEASE).map((r) => r.name);
    expect(names).not.toContain("observability-dcgm-exporter");
    expect(names).toContain("observability-kube-prometheus-stack");
    expect(ofType(run.resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map((r) => r.name)).toEqual([
      "observability-istiod",
    ]);
    const kps = one(run.resources, RELEASE, "observability-kube-prometheus-stack").inputs.values as Json;
    expect(Object.keys(kps.grafana.dashboards)).toEqual(["istio"]);
    expect(kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBeUndefined();
    const groups = (one(run.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec as Json)
      .groups;
    expect(groups.map((g: Json) => g.name)).toEqual(["ai-services", "istio", "llm"]);
  });

  it("routes alerts to a webhook held in a Secret when alertWebhookUrl is set", async () => {
    const run = await deploy({ config: { "ai-mesh:alertWebhookUrl": "https://hooks.example.com/T000/B000" } });
    const secret = one(run.resources, "kubernetes:core/v1:Secret", "observability-alertmanager-config");
    expect(secret.inputs.stringData).toBeInstanceOf(RecordedSecret);
    const data = (secret.inputs.stringData as RecordedSecret).value as Record<string, string>;
    expect(data["alertmanager.yaml"]).toContain("url: https://hooks.example.com/T000/B000");
    const kps = one(run.resources, RELEASE, "observability-kube-prometheus-stack").inputs.values as Json;
    expect(kps.alertmanager.alertmanagerSpec).toEqual({
      resources: { requests: { cpu: "50m", memory: "128Mi" } },
      configSecret: "alertmanager-ai-mesh",
    });
  });

  it("is skipped entirely when observability.enabled is false", async () => {
    // Without Prometheus nothing could scale a model: a stack serving LLMs keeps observability on.
    const run = await deploy({
      config: { "ai-mesh:observability": { enabled: false }, "ai-mesh:services": { chat: undefined } },
    });
    expect(ofType(run.resources, "ai-mesh:index:Observability")).toEqual([]);
    expect(run.outputs.grafana).toBeUndefined();
    // No collector to send spans to: the mesh neither registers one nor samples traces.
    const istiod = one(run.resources, RELEASE, "mesh-istiod").inputs.values as Json;
    expect(istiod.meshConfig.extensionProviders).toEqual([]);
    expect(one(run.resources, "kubernetes:telemetry.istio.io/v1:Telemetry").inputs.spec).toEqual({
      accessLogging: [{ providers: [{ name: "envoy" }] }],
    });
  });
});

describe("Grafana admin from an existing Secret", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy({
      config: { "ai-mesh:observability": { grafana: { existingAdminSecret: "grafana-admin-from-vault" } } },
    });
  });

  it("generates nothing: no RandomPassword, no random provider, no admin Secret", () => {
    expect(ofType(run.resources, "random:index/randomPassword:RandomPassword")).toEqual([]);
    expect(ofType(run.resources, "pulumi:providers:random")).toEqual([]);
    expect(ofType(run.resources, "kubernetes:core/v1:Secret")).toEqual([]);
  });

  it("points Grafana and Kiali at that Secret and says where the password lives", () => {
    const kps = one(run.resources, RELEASE, "observability-kube-prometheus-stack").inputs.values as Json;
    expect(kps.grafana.admin).toEqual({
      existingSecret: "grafana-admin-from-vault",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    const kiali = one(run.resources, RELEASE, "observability-kiali").inputs.values as Json;
    expect(kiali.external_services.grafana.auth.password).toBe("secret:grafana-admin-from-vault:admin-password");
    expect(run.outputs.grafanaAdminPassword).toBeUndefined();
    expect(run.outputs.grafanaAdminSecret).toBe(
      "monitoring/grafana-admin-from-vault (keys admin-user, admin-password; kept outside this stack)",
    );
  });

  it("rejects a Secret name that is not a Kubernetes name", async () => {
    const bad = await runProgram({
      config: { "ai-mesh:observability": { grafana: { existingAdminSecret: "Grafana_Admin" } } },
    });
    expect(bad.error?.message).toBe(
      "Invalid stack config (1 problem):\n" +
        `  - observability.grafana.existingAdminSecret: must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.') (got "Grafana_Admin")`,
    );
    expect(bad.resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("an observability namespace that exists already", () => {
  it("creates no Namespace and installs into the stated one", async () => {
    const run = await deploy({
      stack: "local",
      config: { "ai-mesh:observability": { namespace: "telemetry", createNamespace: false } },
    });
    expect(ofType(run.resources, "kubernetes:core/v1:Namespace").map((r) => at(r.inputs, "metadata.name"))).toEqual([
      "istio-system",
      "istio-ingress",
      "keda",
      "llm-gateway",
      "ai",
    ]);
    for (const release of ofType(run.resources, RELEASE).filter((r) => r.name.startsWith("observability-"))) {
      expect(release.inputs.namespace).toBe("telemetry");
    }
    const istiod = one(run.resources, RELEASE, "mesh-istiod").inputs.values as Json;
    expect(istiod.meshConfig.extensionProviders[0].opentelemetry.service).toBe(
      "jaeger-collector.telemetry.svc.cluster.local",
    );
  });
});
