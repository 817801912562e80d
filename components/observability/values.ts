// Pinned charts and typed values for the observability stack. Pure: config in, values out.
import type { ObservabilityConfig } from "../config";
import { GPU_NODE_LABEL, GPU_TOLERATION } from "../cluster/gpu";
import { ISTIO_SYSTEM_NAMESPACE } from "../names";
import { TRACING_RELEASE } from "../mesh/tracing";

/** Release name of kube-prometheus-stack; its services are kps-prometheus, kps-alertmanager, kps-grafana. */
export const KPS_RELEASE = "kps";
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";

/** Grafana.com dashboards provisioned at start-up (id, pinned revision). */
export const DASHBOARDS = {
  istio: {
    "istio-mesh": { gnetId: 7639, revision: 202 },
    "istio-service": { gnetId: 7636, revision: 202 },
    "istio-workload": { gnetId: 7630, revision: 202 },
    "istio-control-plane": { gnetId: 7645, revision: 202 },
  },
  gpu: { "nvidia-dcgm": { gnetId: 12239, revision: 2 } },
} as const;

export function serviceUrl(name: string, namespace: string, port: number): string {
  return `http://${name}.${namespace}.svc.cluster.local:${port}`;
}

function dashboards(gpu: boolean) {
  const folders = gpu ? (["istio", "gpu"] as const) : (["istio"] as const);
  return {
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: folders.map((folder) => ({
          name: folder,
          orgId: 1,
          folder: folder === "gpu" ? "GPU" : "Istio",
          type: "file",
          disableDeletion: true,
          editable: false,
          options: { path: `/var/lib/grafana/dashboards/${folder}` },
        })),
      },
    },
    dashboards: Object.fromEntries(
      folders.map((folder) => [
        folder,
        Object.fromEntries(
          Object.entries(DASHBOARDS[folder]).map(([name, d]) => [name, { ...d, datasource: "Prometheus" }]),
        ),
      ]),
    ),
  };
}

export function kubePrometheusStackValues(
  config: ObservabilityConfig,
  options: { gpu: boolean; storageClass?: string; alertmanagerConfigSecret?: string; grafanaAdminSecret: string },
) {
  // Pick up monitors and rules from every namespace, not only those labelled for this release.
  const everywhere = {
    serviceMonitorSelectorNilUsesHelmValues: false,
    podMonitorSelectorNilUsesHelmValues: false,
    ruleSelectorNilUsesHelmValues: false,
    probeSelectorNilUsesHelmValues: false,
    serviceMonitorNamespaceSelector: {},
    podMonitorNamespaceSelector: {},
    ruleNamespaceSelector: {},
  };
  return {
    fullnameOverride: KPS_RELEASE,
    prometheus: {
      prometheusSpec: {
        ...everywhere,
        retention: config.retention,
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: config.storageSize } },
            },
          },
        },
      },
    },
    alertmanager: {
      alertmanagerSpec: options.alertmanagerConfigSecret ? { configSecret: options.alertmanagerConfigSecret } : {},
    },
    grafana: {
      admin: { existingSecret: options.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
      sidecar: { dashboards: { enabled: true, searchNamespace: "ALL" } },
      ...dashboards(options.gpu),
    },
  };
}

export function jaegerValues() {
  // All-in-one with in-memory storage: traces are sampled and short-lived by design here.
  return {
    allInOne: { enabled: true, extraEnv: [{ name: "MEMORY_MAX_TRACES", value: "100000" }] },
    storage: { type: "memory" },
    provisionDataStore: { cassandra: false, elasticsearch: false },
    agent: { enabled: false },
    collector: { enabled: false },
    query: { enabled: false },
  };
}

/** Kiali runs next to Grafana so it can read the Grafana admin Secret (Kiali reads Secrets of its own namespace). */
export function kialiValues(monitoringNamespace: string, grafanaAdminSecret: string) {
  return {
    auth: { strategy: "token" },
    deployment: { cluster_wide_access: true },
    external_services: {
      istio: { root_namespace: ISTIO_SYSTEM_NAMESPACE },
      prometheus: { url: serviceUrl(`${KPS_RELEASE}-prometheus`, monitoringNamespace, 9090) },
      grafana: {
        enabled: true,
        internal_url: serviceUrl(`${KPS_RELEASE}-grafana`, monitoringNamespace, 80),
        external_url: "http://localhost:3000",
        auth: {
          type: "basic",
          username: GRAFANA_ADMIN_USER,
          password: `secret:${grafanaAdminSecret}:admin-password`,
        },
      },
      tracing: {
        enabled: true,
        provider: "jaeger",
        use_grpc: true,
        internal_url: `http://${TRACING_RELEASE}-query.${monitoringNamespace}.svc.cluster.local:16685`,
        external_url: "http://localhost:16686",
      },
    },
  };
}

export function dcgmExporterValues() {
  return {
    // The ServiceMonitor is ours, so its selector and port are visible and tested.
    serviceMonitor: { enabled: false },
    tolerations: [GPU_TOLERATION],
    nodeSelector: { ...GPU_NODE_LABEL },
  };
}
