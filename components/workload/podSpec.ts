// The pieces of a hardened pod every workload shares, HTTP service or model server: restricted
// security contexts, probes, scrape annotations, zone spread, GPU placement. Pure.
import { durationSeconds } from "../config/durations";
import { GPU_NODE_SELECTOR, GPU_TOLERATION } from "../cluster/gpu";
import { PLATFORM_UID } from "../../policy/shared/modelCache";

/**
 * Non-root UID/GID the images run as (any non-zero id works with readOnlyRootFilesystem); the GPU
 * nodes' model cache is owned by it (policy/shared/modelCache.ts).
 */
export const RUN_AS = PLATFORM_UID;
const STARTUP_PERIOD_SECONDS = 10;

export function usesGpu(args: { gpu: boolean; service: { gpu: number } }): boolean {
  return args.gpu && args.service.gpu > 0;
}

/** Every container of the platform: non-root, read-only root, no privilege, no capabilities. */
export const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Every pod of the platform runs as RUN_AS, with the runtime's default seccomp profile. */
export const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  fsGroup: RUN_AS,
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Startup allows `startupTimeout` (a model may download for minutes); liveness and readiness take
 * over once it passes. `livenessFailures` is how many missed checks restart the container.
 */
export function httpProbes(
  service: { healthPath: string; readinessPath: string; startupTimeout: string },
  livenessFailures = 3,
) {
  return {
    startupProbe: {
      httpGet: { path: service.healthPath, port: "http" },
      periodSeconds: STARTUP_PERIOD_SECONDS,
      failureThreshold: Math.max(1, Math.ceil(durationSeconds(service.startupTimeout) / STARTUP_PERIOD_SECONDS)),
    },
    readinessProbe: { httpGet: { path: service.readinessPath, port: "http" }, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: {
      httpGet: { path: service.healthPath, port: "http" },
      periodSeconds: 10,
      failureThreshold: livenessFailures,
    },
  };
}

/**
 * Istio metrics merging: the sidecar agent scrapes these and serves them with Envoy's on :15020,
 * which Prometheus can reach under STRICT mTLS.
 */
export function scrapeAnnotations(port: number, path: string): Record<string, string> {
  return { "prometheus.io/scrape": "true", "prometheus.io/port": String(port), "prometheus.io/path": path };
}

/** Replicas of a version spread over zones where they can; never left Pending for it. */
export function zoneSpread(selector: Record<string, string>) {
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selector },
    },
  ];
}

/** On GPU nodes: tolerate their taint and select their label. */
export function gpuPlacement(gpu: boolean) {
  return gpu ? { tolerations: [GPU_TOLERATION], nodeSelector: { ...GPU_NODE_SELECTOR } } : {};
}
