// The charts at their pinned versions, with the values the program really sends: every pin exists
// as a packaged chart, every value key exists in that chart, and `helm template` renders what the
// values intend (EKS-safe monitors, a ClusterIP trace collector, Jaeger v2 retention, istiod sizing).
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { committedStacks } from "../../cli/project";
import { deploy, type RunResult } from "../../plan/engine";
import { ofType, one } from "../../plan/query";
import type { RecordedResource } from "../../plan/recorder";
import { helmTemplate, packagedChart, unknownKeys } from "../support/charts";
import { promtoolTest } from "../support/promtool";
import { describeWithTools } from "../support/tools";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered Kubernetes objects

describeWithTools(["helm", "charts"], "chart values against the packaged charts", () => {
  const charts = () => process.env.AI_MESH_CHARTS!;
  const runs = new Map<string, RunResult>();
  beforeAll(async () => {
    for (const stack of committedStacks()) runs.set(stack, await deploy({ stack }));
  });
  const releases = (stack: string) => ofType(runs.get(stack)!.resources, RELEASE);
  const release = (stack: string, name: string) => one(runs.get(stack)!.resources, RELEASE, name);
  /** The packaged file of a release's pinned chart (chart name and version as the program sends them). */
  const packaged = (r: RecordedResource) =>
    path.join(charts(), `${path.basename(String(r.inputs.chart))}-${r.inputs.version}.tgz`);
  const render = (stack: string, name: string): Json[] => {
    const r = release(stack, name);
    return helmTemplate(packaged(r), String(r.inputs.name), String(r.inputs.namespace), r.inputs.values);
  };

  it.each(committedStacks())("%s: every pinned chart is packaged here, but Karpenter's (an OCI chart)", (stack) => {
    const missing = releases(stack).filter((r) => !fs.existsSync(packaged(r)));
    // Karpenter's chart is published only as OCI (public.ecr.aws); the toolchain does not package it,
    // so its values are checked against its documented keys in the unit tests, not here.
    expect(missing.map((r) => path.basename(packaged(r)))).toEqual(stack === "dev" ? ["karpenter-1.8.5.tgz"] : []);
  });

  it.each(committedStacks())("%s: every value key exists in its chart at the pinned version", (stack) => {
    const unknown = releases(stack)
      .filter((r) => fs.existsSync(packaged(r)))
      .flatMap((r) =>
        unknownKeys(r.inputs.values, packagedChart(packaged(r))).map((key) => `${path.basename(packaged(r))}: ${key}`),
      );
    expect(unknown).toEqual([]);
  });

  it("flags keys a chart neither declares nor reads (the Jaeger v1 keys this project once sent)", () => {
    const jaeger = packagedChart(packaged(release("dev", "observability-jaeger")));
    expect(
      unknownKeys(
        {
          agent: { enabled: false },
          collector: { enabled: false },
          query: { enabled: false },
          allInOne: { enabled: true },
        },
        jaeger,
      ),
    ).toEqual(["agent", "collector", "query"]);
  });

  it("kube-prometheus-stack on EKS scrapes and alerts on no control-plane component EKS hides", () => {
    const objects = render("dev", "observability-kube-prometheus-stack");
    const monitors = objects.filter((o) => o.kind === "ServiceMonitor").map((o) => o.metadata.name);
    expect(monitors.length).toBeGreaterThan(0);
    for (const hidden of ["kube-controller-manager", "kube-scheduler", "kube-etcd", "kube-proxy"]) {
      expect(monitors).not.toContain(`kps-${hidden}`);
    }
    const groups = objects.filter((o) => o.kind === "PrometheusRule").flatMap((o) => o.spec.groups);
    const alerts = groups.flatMap((g: Json) => g.rules).map((r: Json) => r.alert);
    expect(alerts).toContain("KubeAPIDown");
    // On a healthy EKS cluster (API server and kubelets scraped, control plane invisible) the
    // chart's control-plane alerts stay quiet.
    promtoolTest(groups, [
      {
        name: "healthy EKS",
        input_series: [
          { series: 'up{job="apiserver",instance="10.40.0.10:443"}', values: "1x60" },
          { series: 'up{job="kubelet",instance="10.40.1.7:10250",metrics_path="/metrics"}', values: "1x60" },
        ],
        alert_rule_test: ["KubeControllerManagerDown", "KubeSchedulerDown", "KubeProxyDown", "KubeAPIDown"].map(
          (alertname) => ({ eval_time: "30m", alertname, exp_alerts: [] }),
        ),
      },
    ]);
  });

  it("Jaeger: a ClusterIP collector for OTLP, v2 config with bounded in-memory traces", () => {
    const objects = render("dev", "observability-jaeger");
    const collector = objects.find((o) => o.kind === "Service" && o.metadata.name === "jaeger-collector");
    expect(collector.spec.clusterIP).not.toBe("None");
    expect(collector.spec.ports).toContainEqual(expect.objectContaining({ name: "otlp-grpc", port: 4317 }));
    const config = parse(
      objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "user-config").data["user-config.yaml"],
    );
    expect(config.extensions.jaeger_storage.backends.primary_store.memory.max_traces).toBe(100000);
    const jaeger = objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0];
    expect(jaeger.args).toEqual(["--config", "/etc/jaeger/user-config.yaml"]);
    expect(jaeger.readinessProbe.httpGet).toEqual({ path: "/status", port: 13133, scheme: "HTTP" });
    expect(config.extensions.healthcheckv2.http.endpoint).toBe("0.0.0.0:13133");
  });

  it("istiod: the HPA range and requests from config", () => {
    const objects = render("dev", "mesh-istiod");
    const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 3]);
    const istiod = objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0];
    expect(istiod.resources.requests).toEqual({ cpu: "500m", memory: "2Gi" });
  });

  it("gateway: the pods carry an Envoy port the envoy-stats PodMonitor keeps", () => {
    const pod = render("dev", "mesh-gateway").find((o) => o.kind === "Deployment").spec.template.spec;
    const ports = pod.containers.flatMap((c: Json) => c.ports ?? []).map((p: Json) => p.name);
    expect(ports.some((name: string) => /^.*-envoy-prom$/.test(name))).toBe(true);
  });
});
