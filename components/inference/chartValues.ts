// Typed values of the Inference Extension's charts: one inferencepool release per model version
// (the InferencePool and its endpoint picker) and the body-based router. Pure: config in, values out.
import { MERGED_METRICS_PORT } from "../observability/scrape";
import { versionSelector } from "../core/names";
import { BBR_REPLICAS, CHART_POD_RESOURCES, pickerName } from "../core/inferenceNames";
import { pickerConfigValues } from "./pickerConfig";

export interface PoolValuesArgs {
  app: string;
  version: string;
  /** The pool's release name, which the chart also names the InferencePool. */
  pool: string;
  /** Where the model servers listen. */
  port: number;
  pickerReplicas: number;
}

/**
 * The picker reads each model server's queue and KV cache. Under STRICT mTLS it cannot scrape the
 * model port in plaintext (the sidecar refuses it), so it reads the same series where Prometheus
 * does: the sidecar agent's merged endpoint on 15020, outside mTLS by Istio's design.
 */
export function inferencePoolValues(args: PoolValuesArgs) {
  return {
    inferencePool: {
      targetPorts: [{ number: args.port }],
      modelServerType: "vllm",
      modelServers: { matchLabels: versionSelector(args.app, args.version) },
    },
    inferenceExtension: {
      replicas: args.pickerReplicas,
      // v1.4.0's chart defaults to FailOpen; closed, a picker that is gone fails its version's requests
      // (InferencePickerDown pages) instead of silently balancing them blind.
      failureMode: "FailClose",
      // The chart's own tag (epp:v1.4.0, the release of the CRDs): pull it once per node, not on every restart.
      image: { pullPolicy: "IfNotPresent" },
      // The chart asks 4 CPUs and 8 GiB per picker (sized for thousands of requests a second); ours
      // counts what the capacity check and the namespace's LimitRange count.
      resources: CHART_POD_RESOURCES,
      ...pickerConfigValues(),
      flags: {
        v: 1,
        // The v1.4.0 picker refuses the metric-name flags (--kv-cache-usage-percentage-metric, …):
        // its defaults are vLLM's V1 names (vllm:kv_cache_usage_perc), which vLLM and the simulator serve.
        // Deprecated in v1.4.0 but still read: without it the picker scrapes the pool's target port.
        "model-server-metrics-port": MERGED_METRICS_PORT,
        "model-server-metrics-path": "/stats/prometheus",
      },
      monitoring: {
        interval: "15s",
        // A ServiceMonitor with the picker's own token: its /metrics authenticates every scrape.
        prometheus: { enabled: true, auth: { enabled: true, secretName: `${pickerName(args.pool)}-metrics-reader` } },
      },
    },
    // Istio: a DestinationRule that reaches the picker's own TLS from the gateway.
    provider: { name: "istio" },
  };
}

/** The router that copies the request body's "model" into a header, inserted into the gateway's filters. */
export function bodyBasedRoutingValues() {
  return {
    bbr: {
      replicas: BBR_REPLICAS,
      image: { pullPolicy: "IfNotPresent" },
      // The v1.4.0 chart passes --plugin default-bbr, a type its v1.4.0 router does not register
      // (cmd/bbr/runner/runner.go knows no-op-plugin and body-field-to-header): it would exit at start.
      // Without plugins it runs its default, which still copies "model" into X-Gateway-Model-Name.
      plugins: [],
    },
    provider: { name: "istio" },
  };
}
