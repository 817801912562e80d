// Typed values for the observability stack. Pure: config in, values out.
import { toYaml } from "../core/yaml";
import type { CpuMemory } from "../core/quantity";
import type { ObservabilityConfig } from "../config";
import { GPU_NODE_SELECTOR, GPU_TOLERATION } from "../cluster/gpu";
import { ISTIO_SYSTEM_NAMESPACE } from "../core/names";
import { OTLP_GRPC_PORT, TRACING_RELEASE } from "../mesh/tracing";

/**
 * What each observability pod requests, set in its chart's values so the capacity check
 * (components/capacity) counts exactly what the scheduler will. Prometheus's own comes from config.
 */
export const OBSERVABILITY_REQUESTS = {
  prometheusOperator: { cpu: "100m", memory: "128Mi" },
  alertmanager: { cpu: "50m", memory: "128Mi" },
  grafana: { cpu: "100m", memory: "256Mi" },
  /** Grafana's dashboard sidecar. */
  grafanaSidecar: { cpu: "50m", memory: "64Mi" },
  kubeStateMetrics: { cpu: "50m", memory: "128Mi" },
  jaeger: { cpu: "100m", memory: "512Mi" },
  kiali: { cpu: "50m", memory: "128Mi" },
} as const satisfies Record<string, CpuMemory>;

/** DaemonSets: one pod per node (node exporter on every node, DCGM exporter on GPU nodes). */
export const OBSERVABILITY_NODE_REQUESTS = {
  nodeExporter: { cpu: "50m", memory: "64Mi" },
  dcgmExporter: { cpu: "100m", memory: "256Mi" },
} as const satisfies Record<string, CpuMemory>;

const requests = (r: CpuMemory) => ({ requests: { ...r } });

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

/** Prometheus inside the cluster (KEDA queries it; so does Kiali). */
export function prometheusUrl(monitoringNamespace: string): string {
  return serviceUrl(`${KPS_RELEASE}-prometheus`, monitoringNamespace, 9090);
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
  // EKS (like most managed control planes, and kind) exposes no controller-manager, scheduler or
  // etcd metrics, and its kube-proxy binds metrics to localhost: scraping them only makes the
  // chart's absent() alerts fire forever. The chart drops those monitors and rules when disabled.
  const controlPlane = { enabled: config.controlPlaneMetrics };
  return {
    fullnameOverride: KPS_RELEASE,
    kubeControllerManager: controlPlane,
    kubeScheduler: controlPlane,
    kubeEtcd: controlPlane,
    kubeProxy: controlPlane,
    prometheusOperator: { resources: requests(OBSERVABILITY_REQUESTS.prometheusOperator) },
    "kube-state-metrics": { resources: requests(OBSERVABILITY_REQUESTS.kubeStateMetrics) },
    "prometheus-node-exporter": { resources: requests(OBSERVABILITY_NODE_REQUESTS.nodeExporter) },
    prometheus: {
      prometheusSpec: {
        ...everywhere,
        retention: config.retention,
        resources: requests(config.prometheusResources),
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
      alertmanagerSpec: {
        resources: requests(OBSERVABILITY_REQUESTS.alertmanager),
        ...(options.alertmanagerConfigSecret ? { configSecret: options.alertmanagerConfigSecret } : {}),
      },
    },
    grafana: {
      admin: { existingSecret: options.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
      resources: requests(OBSERVABILITY_REQUESTS.grafana),
      sidecar: {
        resources: requests(OBSERVABILITY_REQUESTS.grafanaSidecar),
        dashboards: { enabled: true, searchNamespace: "ALL" },
      },
      ...dashboards(options.gpu),
    },
  };
}

/**
 * Jaeger v2 all-in-one configuration: OTLP in, in-memory storage bounded by `maxTraces` (the v2
 * image ignores the v1 variables MEMORY_MAX_TRACES and SPAN_STORAGE_TYPE), the query API for the
 * UI and Kiali, and the health check the chart probes on 13133 /status.
 */
export function jaegerConfig(maxTraces: number) {
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
      jaeger_query: { storage: { traces: "primary_store" } },
      jaeger_storage: { backends: { primary_store: { memory: { max_traces: maxTraces } } } },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` }, http: { endpoint: "0.0.0.0:4318" } } },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
  };
}

export function jaegerValues(config: ObservabilityConfig) {
  return {
    allInOne: {
      enabled: true,
      // A ClusterIP Service: a headless one gives sidecars an ORIGINAL_DST cluster for the tracing provider.
      service: { headless: false },
      resources: { ...requests(OBSERVABILITY_REQUESTS.jaeger), limits: { memory: "2Gi" } },
    },
    storage: { type: "memory" },
    userconfig: toYaml(jaegerConfig(config.tracingMaxTraces)),
  };
}

/** Kiali runs next to Grafana so it can read the Grafana admin Secret (Kiali reads Secrets of its own namespace). */
export function kialiValues(monitoringNamespace: string, grafanaAdminSecret: string) {
  return {
    auth: { strategy: "token" },
    deployment: { cluster_wide_access: true, resources: requests(OBSERVABILITY_REQUESTS.kiali) },
    external_services: {
      istio: { root_namespace: ISTIO_SYSTEM_NAMESPACE },
      prometheus: { url: prometheusUrl(monitoringNamespace) },
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
    resources: requests(OBSERVABILITY_NODE_REQUESTS.dcgmExporter),
    tolerations: [GPU_TOLERATION],
    nodeSelector: { ...GPU_NODE_SELECTOR },
  };
}
