// What Prometheus scrapes, as prometheus-operator monitor specs. Pure: the alert rules and the
// monitors share the job names defined here, so an alert can never ask for a job nobody scrapes.
import { MODEL_SERVER_LABEL } from "../../policy/shared/modelCache";
import { ISTIO_SYSTEM_NAMESPACE } from "../core/names";

/** The label istiod's Service carries; with `jobLabel: istio` the operator names the job after its value. */
export const ISTIOD_SERVICE_LABEL = { istio: "pilot" } as const;
export const ISTIOD_JOB = ISTIOD_SERVICE_LABEL.istio;
export const ENVOY_JOB = "envoy-stats";
/** The port every Envoy declares, sidecar or gateway (Istio's own scrape config keeps on it). */
export const ENVOY_PORT_NAME_REGEX = ".*-envoy-prom";
/** The agent's merged endpoint: Envoy's stats plus the app's own metrics (Istio metrics merging). */
export const MERGED_METRICS_PORT = 15020;

/** Model server pods carry this label: their series keep their pod's app and version labels. */
export { MODEL_SERVER_LABEL };
/** Pod labels a model server's series keep (vLLM's own carry none), for per-version queries. */
export const MODEL_SERVER_TARGET_LABELS = ["app", "version"] as const;
const [[MARKER, MARKER_VALUE]] = Object.entries(MODEL_SERVER_LABEL);
/** A pod label as Prometheus's pod discovery names it: every character outside [a-zA-Z0-9_] becomes "_". */
const podLabelMeta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/**
 * Every pod with an Envoy, sidecar or gateway, in any namespace: gateway pods carry no
 * security.istio.io/tlsMode label, so the selector cannot rely on it. Pods opt out with the
 * istio-prometheus-ignore label, as in Istio's own prometheus-operator example.
 */
export function envoyPodMonitorSpec() {
  return {
    namespaceSelector: { any: true },
    selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
    jobLabel: ENVOY_JOB,
    podMetricsEndpoints: [
      {
        path: "/stats/prometheus",
        interval: "15s",
        relabelings: [
          { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_port_name"], regex: ENVOY_PORT_NAME_REGEX },
          // The merged endpoint is the agent's status port, which no container declares.
          {
            action: "replace",
            sourceLabels: ["__meta_kubernetes_pod_ip"],
            targetLabel: "__address__",
            regex: "(.+)",
            replacement: `$1:${MERGED_METRICS_PORT}`,
          },
          // Model servers' series get their pod's app and version (vLLM labels them by model name
          // only); other pods' stay as they are, so no app metric's own labels are shadowed.
          ...MODEL_SERVER_TARGET_LABELS.map((label) => ({
            action: "replace",
            sourceLabels: [podLabelMeta(MARKER), podLabelMeta(label)],
            regex: `${MARKER_VALUE};(.+)`,
            targetLabel: label,
            replacement: "$1",
          })),
          { action: "labeldrop", regex: "__meta_kubernetes_pod_label_(.+)" },
        ],
      },
    ],
  };
}

export function istiodServiceMonitorSpec() {
  return {
    jobLabel: Object.keys(ISTIOD_SERVICE_LABEL)[0],
    namespaceSelector: { matchNames: [ISTIO_SYSTEM_NAMESPACE] },
    selector: { matchLabels: { ...ISTIOD_SERVICE_LABEL } },
    endpoints: [{ port: "http-monitoring", interval: "15s" }],
  };
}

/**
 * The DCGM exporter labels each GPU's series with the pod, namespace and container using it. Those
 * must win over the exporter's own target labels: without honorLabels Prometheus renames them
 * exported_pod/exported_namespace, and every per-pod GPU panel and query comes up empty.
 */
export function dcgmServiceMonitorSpec() {
  return {
    selector: { matchLabels: { "app.kubernetes.io/name": "dcgm-exporter" } },
    endpoints: [{ port: "metrics", interval: "15s", path: "/metrics", honorLabels: true }],
  };
}
