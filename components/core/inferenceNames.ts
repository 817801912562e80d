// Names, labels, ports and sizes of the LLM serving layer that several layers agree on: the gateway,
// the body-based router, the pools and their endpoint pickers, KEDA. The mesh, observability and
// capacity read them here, at the ground, rather than reaching up into the inference feature.
import type { CpuMemory } from "./quantity";

/** One InferencePool (and its picker's Helm release) per version: "<app>-<version>". */
export function poolName(app: string, version: string): string {
  return `${app}-${version}`;
}

/** What the inferencepool chart names a pool's endpoint picker (Deployment, Service, ServiceAccount). */
export function pickerName(pool: string): string {
  return `${pool}-epp`;
}

/** The Istio gateway deployment LLM traffic enters by (release, ServiceAccount and Service name). */
export const LLM_GATEWAY_RELEASE = "llm-gateway";
/** Pod labels the istio gateway chart gives that release (the "istio-" prefix it strips is absent). */
export const LLM_GATEWAY_SELECTOR = { istio: "llm-gateway" } as const;
/** The Gateway API Gateway the model routes attach to. */
export const LLM_GATEWAY = "llm";
/**
 * The pod label by which istiod knows a gateway pod serves a Gateway: only pods labelled with the
 * name of a Gateway that has an InferencePool attached, in that Gateway's namespace, get the pickers'
 * ext_proc filter (Istio 1.30.3 pilot/pkg/networking/core/listener_builder.go).
 */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
/** The header body-based routing copies the request's "model" field into; routes match on it. */
export const MODEL_NAME_HEADER = "X-Gateway-Model-Name";

/** The body-based router (its chart's default name and port). */
export const BBR_NAME = "body-based-router";
export const BBR_PORT = 9004;
/** Every LLM request passes through it (failure_mode_allow false): two, so one can go. */
export const BBR_REPLICAS = 2;

/** The endpoint picker's ports (the inferencepool chart's). */
export const PICKER_PORTS = { extProc: 9002, health: 9003, metrics: 9090 } as const;
/** The label the chart puts on picker pods ("<pool>-epp"). */
export const PICKER_POD_LABEL = "inferencepool";

/**
 * The picker and router charts declare no requests or limits; a LimitRange in their namespaces gives
 * their containers these, so they are neither BestEffort nor uncounted.
 */
export const CHART_POD_RESOURCES = {
  requests: { cpu: "200m", memory: "256Mi" },
  limits: { cpu: "2", memory: "1Gi" },
} satisfies { requests: CpuMemory; limits: CpuMemory };

export const KEDA_NAMESPACE = "keda";
export const KEDA_RELEASE = "keda";
/** Operator, metrics API server and admission webhooks: one replica each, the chart's own requests. */
export const KEDA_POD_REQUESTS: CpuMemory = { cpu: "100m", memory: "100Mi" };
export const KEDA_PODS = 3;
