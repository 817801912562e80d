// Model servers scale on the queue that makes users wait, not on CPU: KEDA reads vLLM's waiting
// requests per version from Prometheus and drives the version's HorizontalPodAutoscaler; Karpenter
// then adds GPU nodes for the pending pods, up to the NodePool's GPU ceiling. Pure: specs and values.
import type { LlmServiceConfig } from "../config";
import { versionReplicas } from "../config/replicas";
import { modelMatchers, waitingRequests } from "../observability/llmMetrics";
import { KEDA_POD_REQUESTS } from "../core/inferenceNames";

type LlmVersion = LlmServiceConfig["versions"][number];

/** How often KEDA asks Prometheus (seconds), and how long a version holds replicas after a burst. */
const POLLING_SECONDS = 15;
const COOLDOWN_SECONDS = 300;
/** Failed queries in a row before KEDA falls back; then it keeps what it has rather than shrinking. */
const FALLBACK_AFTER = 4;

/**
 * One version's ScaledObject. The target is an average per replica, so N waiting requests per
 * replica above the target add replicas. A Prometheus that is down or a query that returns nothing
 * is not "zero waiting": the trigger errs and KEDA's fallback keeps the current count (never fewer
 * than min), instead of scaling a busy model down blind.
 */
export function scaledObjectSpec(args: {
  service: LlmServiceConfig;
  version: LlmVersion;
  namespace: string;
  deployment: string;
  prometheusUrl: string;
}) {
  const { service, version } = args;
  const replicas = versionReplicas(service, version);
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deployment },
    minReplicaCount: replicas.min,
    maxReplicaCount: replicas.max,
    pollingInterval: POLLING_SECONDS,
    cooldownPeriod: COOLDOWN_SECONDS,
    fallback: { failureThreshold: FALLBACK_AFTER, replicas: replicas.min, behavior: "currentReplicasIfHigher" },
    advanced: {
      horizontalPodAutoscalerConfig: {
        name: args.deployment,
        // A new replica takes minutes to load its model: add one at a time, remove slowly.
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
          scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
        },
      },
    },
    triggers: [
      {
        type: "prometheus",
        name: "waiting-requests",
        metricType: "AverageValue",
        metadata: {
          serverAddress: args.prometheusUrl,
          query: waitingRequests(modelMatchers({ namespace: args.namespace, app: service.app, version: version.name })),
          threshold: String(service.autoscaling.waitingRequestsPerReplica),
          ignoreNullValues: "false",
        },
      },
    ],
  };
}

/** The pinned KEDA chart's values: its three pods sized as the capacity check counts them. */
export function kedaValues(nodeSelector?: Record<string, string>) {
  const resources = { requests: KEDA_POD_REQUESTS, limits: { cpu: "1", memory: "1000Mi" } };
  return {
    resources: { operator: resources, metricServer: resources, webhooks: resources },
    ...(nodeSelector ? { nodeSelector } : {}),
  };
}
