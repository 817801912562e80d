// Observability: kube-prometheus-stack (Prometheus, Alertmanager, Grafana with dashboards), Istio
// and GPU monitors, alert rules, Jaeger for traces and Kiali — all reachable by port-forward.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS, chartArgs } from "../charts/pins";
import type { ChartsConfig, ObservabilityConfig, ServicesConfig } from "../config";
import type { ServiceMesh } from "../mesh/mesh";
import { TRACING_RELEASE } from "../mesh/tracing";
import { alertmanagerConfig } from "./alertmanager";
import { alertGroups } from "./alerts";
import { aiServicesDashboard } from "./dashboard";
import { dcgmServiceMonitorSpec, envoyPodMonitorSpec, istiodServiceMonitorSpec } from "./scrape";
import {
  GRAFANA_ADMIN_SECRET,
  GRAFANA_ADMIN_USER,
  KPS_RELEASE,
  dcgmExporterValues,
  jaegerValues,
  kialiValues,
  kubePrometheusStackValues,
} from "./values";

export interface ObservabilityArgs {
  config: ObservabilityConfig;
  charts: ChartsConfig;
  services: ServicesConfig;
  gpu: boolean;
  storageClass?: string;
  alertWebhookUrl?: pulumi.Output<string>;
  mesh: ServiceMesh;
  /** The stack's one random provider; asked for only when a password must be generated. */
  randomProvider: () => random.Provider;
  /** What must exist before anything can be scheduled (node groups, add-ons, storage class). */
  dependsOn: pulumi.Resource[];
}

interface GrafanaAdmin {
  secretName: string;
  /** What Grafana and Kiali must wait for. */
  resources: pulumi.Resource[];
  outputs: Record<string, pulumi.Input<string>>;
}

export class Observability extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly outputs: Record<string, pulumi.Input<string>>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:Observability", name, {}, opts);
    const { config } = args;
    const ns = config.namespace;
    this.namespace = ns;
    // An existing namespace is the user's: then only what the cluster needs comes first.
    const namespace = config.createNamespace
      ? [
          new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: ns } },
            { parent: this, dependsOn: args.dependsOn },
          ),
        ]
      : args.dependsOn;
    const inNamespace = { parent: this, dependsOn: namespace };

    const admin = this.grafanaAdmin(name, config, args.randomProvider, inNamespace);

    const alertmanagerSecret = args.alertWebhookUrl
      ? new k8s.core.v1.Secret(
          `${name}-alertmanager-config`,
          {
            metadata: { name: "alertmanager-ai-mesh", namespace: ns },
            stringData: { "alertmanager.yaml": pulumi.secret(args.alertWebhookUrl.apply(alertmanagerConfig)) },
          },
          inNamespace,
        )
      : undefined;

    const stack = new k8s.helm.v3.Release(
      `${name}-kube-prometheus-stack`,
      {
        name: KPS_RELEASE,
        ...chartArgs(CHARTS.kubePrometheusStack, args.charts),
        namespace: ns,
        values: kubePrometheusStackValues(config, {
          gpu: args.gpu,
          storageClass: args.storageClass,
          alertmanagerConfigSecret: alertmanagerSecret ? "alertmanager-ai-mesh" : undefined,
          grafanaAdminSecret: admin.secretName,
        }),
        timeout: 900,
      },
      {
        parent: this,
        dependsOn: [...namespace, ...admin.resources, ...(alertmanagerSecret ? [alertmanagerSecret] : [])],
      },
    );
    // Monitors and rules are CRs of the operator the stack installs.
    const afterStack = { parent: this, dependsOn: [stack] };

    new k8s.apiextensions.CustomResource(
      `${name}-envoy-stats`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "envoy-stats", namespace: ns },
        spec: envoyPodMonitorSpec(),
      },
      afterStack,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-istiod`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "istiod", namespace: ns },
        spec: istiodServiceMonitorSpec(),
      },
      { parent: this, dependsOn: [stack, args.mesh.istiod] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "ai-mesh-alerts", namespace: ns },
        spec: { groups: alertGroups(config, args.services, args.gpu) },
      },
      afterStack,
    );

    // Grafana's sidecar loads dashboards from ConfigMaps with this label, in any namespace.
    new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: { name: "ai-mesh-dashboard", namespace: ns, labels: { grafana_dashboard: "1" } },
        data: { "ai-services.json": JSON.stringify(aiServicesDashboard(args.services, args.gpu)) },
      },
      inNamespace,
    );

    if (args.gpu) {
      const dcgm = new k8s.helm.v3.Release(
        `${name}-dcgm-exporter`,
        {
          name: "dcgm-exporter",
          ...chartArgs(CHARTS.dcgmExporter, args.charts),
          namespace: ns,
          values: dcgmExporterValues(),
        },
        inNamespace,
      );
      new k8s.apiextensions.CustomResource(
        `${name}-dcgm-exporter`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: "dcgm-exporter", namespace: ns },
          spec: dcgmServiceMonitorSpec(),
        },
        { parent: this, dependsOn: [stack, dcgm] },
      );
    }

    new k8s.helm.v3.Release(
      `${name}-jaeger`,
      { name: TRACING_RELEASE, ...chartArgs(CHARTS.jaeger, args.charts), namespace: ns, values: jaegerValues(config) },
      inNamespace,
    );
    new k8s.helm.v3.Release(
      `${name}-kiali`,
      {
        name: "kiali",
        ...chartArgs(CHARTS.kiali, args.charts),
        namespace: ns,
        values: kialiValues(ns, admin.secretName),
      },
      { parent: this, dependsOn: [stack, args.mesh.istiod, ...admin.resources] },
    );

    this.outputs = {
      grafana: `kubectl -n ${ns} port-forward svc/${KPS_RELEASE}-grafana 3000:80  # http://localhost:3000 (user ${GRAFANA_ADMIN_USER})`,
      prometheus: `kubectl -n ${ns} port-forward svc/${KPS_RELEASE}-prometheus 9090:9090  # http://localhost:9090`,
      alertmanager: `kubectl -n ${ns} port-forward svc/${KPS_RELEASE}-alertmanager 9093:9093  # http://localhost:9093`,
      tracing: `kubectl -n ${ns} port-forward svc/${TRACING_RELEASE}-query 16686:16686  # http://localhost:16686`,
      kiali: `kubectl -n ${ns} port-forward svc/kiali 20001:20001  # http://localhost:20001 (kubectl -n ${ns} create token kiali)`,
      ...admin.outputs,
    };
    this.registerOutputs(this.outputs);
  }

  /**
   * The Grafana admin credentials: a Secret the user keeps (nothing generated, nothing in state),
   * or a generated password in a Secret of ours, exported only as a secret.
   */
  private grafanaAdmin(
    name: string,
    config: ObservabilityConfig,
    randomProvider: () => random.Provider,
    inNamespace: pulumi.CustomResourceOptions,
  ): GrafanaAdmin {
    const existing = config.grafana.existingAdminSecret;
    if (existing) {
      return {
        secretName: existing,
        resources: [],
        outputs: {
          grafanaAdminSecret: `${config.namespace}/${existing} (keys admin-user, admin-password; kept outside this stack)`,
        },
      };
    }
    const password = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 32, special: false },
      { parent: this, provider: randomProvider() },
    );
    const secretPassword = pulumi.secret(password.result);
    const secret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace: config.namespace },
        type: "Opaque",
        stringData: { "admin-user": GRAFANA_ADMIN_USER, "admin-password": secretPassword },
      },
      inNamespace,
    );
    return {
      secretName: GRAFANA_ADMIN_SECRET,
      resources: [secret],
      outputs: {
        grafanaAdminSecret: `${config.namespace}/${GRAFANA_ADMIN_SECRET} (keys admin-user, admin-password)`,
        grafanaAdminPassword: secretPassword,
      },
    };
  }
}
