// Typed values of the Inference Extension's charts: one inferencepool release per model version
// (the InferencePool and its endpoint picker) and the body-based router. Pure: config in, values out.
import { MERGED_METRICS_PORT } from "../observability/scrape";
import { versionSelector } from "../core/names";
import { BBR_REPLICAS, pickerName } from "../core/inferenceNames";

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
      // The tag is pinned (v1.2.0): pull it once per node, not on every restart.
      image: { pullPolicy: "IfNotPresent" },
      flags: {
        v: 1,
        // vLLM's V1 engine (and the simulator) export the KV-cache gauge under this name; the
        // picker's default is the older vllm:gpu_cache_usage_perc, which they no longer serve.
        "kv-cache-usage-percentage-metric": "vllm:kv_cache_usage_perc",
        // No LoRA adapters are served: nothing to read.
        "lora-info-metric": "",
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
    bbr: { replicas: BBR_REPLICAS, image: { pullPolicy: "IfNotPresent" } },
    provider: { name: "istio" },
  };
}
