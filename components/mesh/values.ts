// Typed Helm values for the Istio charts. Pure: config in, values out.
import type { IstioConfig } from "../config";
import { BBR_NAME, PICKER_POD_LABEL } from "../core/inferenceNames";
import type { CpuMemory } from "../core/quantity";
import { INGRESS_GATEWAY_SELECTOR } from "../core/names";
import { loadBalancerAnnotations, servicePorts, type PlainHttp, type ServicePort } from "./frontDoor";
import { OTLP_GRPC_PORT, TRACING_PROVIDER, otlpCollectorHost } from "./tracing";

/** What every injected sidecar requests (global.proxy.resources); the capacity check counts one per pod. */
export const SIDECAR_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2", memory: "1Gi" } };
/** What each ingress gateway replica requests. */
export const GATEWAY_RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } };

/** Top-level keys of the istiod chart (1.22+ keeps its defaults under _internal_defaults_do_not_set). */
export interface IstiodValues {
  revision: string;
  autoscaleEnabled: boolean;
  autoscaleMin: number;
  autoscaleMax: number;
  resources: { requests: CpuMemory };
  global: { proxy: { resources: typeof SIDECAR_RESOURCES } };
  meshConfig: {
    accessLogFile: string;
    accessLogEncoding: "JSON" | "TEXT";
    enableTracing: boolean;
    outboundTrafficPolicy: { mode: "ALLOW_ANY" | "REGISTRY_ONLY" };
    defaultConfig: { holdApplicationUntilProxyStarts: boolean };
    extensionProviders: { name: string; opentelemetry: { service: string; port: number } }[];
  };
  /** Environment of the pilot container (feature flags). */
  env?: Record<string, string>;
  sidecarInjectorWebhook?: { neverInjectSelector: Record<string, unknown>[] };
}

export interface GatewayValues {
  revision: string;
  labels: Record<string, string>;
  service: {
    type: string;
    annotations: Record<string, string>;
    ports: ServicePort[];
  };
  autoscaling: { enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
  resources: { requests: CpuMemory; limits: CpuMemory };
}

/**
 * Serving LLMs: istiod turns HTTPRoutes to InferencePools into ext_proc calls to their endpoint
 * pickers. The pickers and the body-based router serve TLS of their own, which the gateway reaches
 * through the charts' DestinationRules (TLS SIMPLE); a sidecar in front would demand mTLS instead,
 * so the injector leaves their pods alone.
 */
export function inferenceIstiodValues(): Pick<IstiodValues, "env" | "sidecarInjectorWebhook"> {
  return {
    env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" },
    sidecarInjectorWebhook: {
      neverInjectSelector: [
        { matchExpressions: [{ key: PICKER_POD_LABEL, operator: "Exists" }] },
        { matchLabels: { app: BBR_NAME } },
      ],
    },
  };
}

/** istiod values; `tracingNamespace` is where the OTLP collector runs, if there is one. */
export function istiodValues(istio: IstioConfig, tracingNamespace?: string, inference = false): IstiodValues {
  return {
    ...(inference ? inferenceIstiodValues() : {}),
    revision: istio.revision ?? "",
    autoscaleEnabled: true,
    autoscaleMin: istio.istiod.minReplicas,
    autoscaleMax: istio.istiod.maxReplicas,
    resources: { requests: { cpu: istio.istiod.cpu, memory: istio.istiod.memory } },
    global: { proxy: { resources: SIDECAR_RESOURCES } },
    meshConfig: {
      accessLogFile: "/dev/stdout",
      accessLogEncoding: "JSON",
      // Tracing is switched on per mesh by the Telemetry resource, not the legacy flag.
      enableTracing: false,
      outboundTrafficPolicy: { mode: istio.outboundTrafficPolicy },
      // Apps must not start calling peers before their sidecar is ready (STRICT mTLS would fail them).
      defaultConfig: { holdApplicationUntilProxyStarts: true },
      extensionProviders: tracingNamespace
        ? [
            {
              name: TRACING_PROVIDER,
              opentelemetry: { service: otlpCollectorHost(tracingNamespace), port: OTLP_GRPC_PORT },
            },
          ]
        : [],
    },
  };
}

/**
 * Values of one gateway deployment of the istio gateway chart: the ingress gateway, or the LLM
 * gateway. `plainHttp`: what port 80 does behind TLS at the NLB (see PlainHttp).
 */
export function gatewayValues(
  istio: IstioConfig,
  ingress: IstioConfig["ingress"] = istio.ingress,
  labels: Record<string, string> = INGRESS_GATEWAY_SELECTOR,
  plainHttp: PlainHttp = "redirect",
): GatewayValues {
  return {
    revision: istio.revision ?? "",
    labels: { ...labels },
    service: {
      type: ingress.serviceType,
      annotations: ingress.serviceType === "LoadBalancer" ? loadBalancerAnnotations(ingress) : {},
      ports: servicePorts(ingress, plainHttp),
    },
    autoscaling: {
      enabled: true,
      minReplicas: ingress.minReplicas,
      maxReplicas: ingress.maxReplicas,
      targetCPUUtilizationPercentage: 70,
    },
    resources: GATEWAY_RESOURCES,
  };
}
