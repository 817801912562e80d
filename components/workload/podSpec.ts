// The hardened pod spec of one service version. Pure: config in, Kubernetes object out.
import type * as k8s from "@pulumi/kubernetes";
import type { HttpServiceConfig, VersionConfig } from "../config";
import { durationSeconds } from "../config/durations";
import { serviceLabels, versionSelector } from "../core/names";
import { GPU_NODE_SELECTOR, GPU_RESOURCE, GPU_TOLERATION } from "../cluster/gpu";
import { PLATFORM_UID } from "../../policy/shared/modelCache";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;

/**
 * Non-root UID/GID the images run as (any non-zero id works with readOnlyRootFilesystem); the GPU
 * nodes' model cache is owned by it (policy/shared/modelCache.ts).
 */
export const RUN_AS = PLATFORM_UID;
const STARTUP_PERIOD_SECONDS = 10;

export interface WorkloadArgs {
  app: string;
  serviceAccount: string;
  service: HttpServiceConfig;
  version: VersionConfig;
  /** Whether GPUs are schedulable; without them object-detector runs on CPU. */
  gpu: boolean;
}

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

export function deploymentSpec(args: WorkloadArgs): DeploymentSpec {
  const { app, service, version } = args;
  const gpu = usesGpu(args);
  const volumes: k8s.types.input.core.v1.Volume[] = [
    { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    { name: "model-cache", emptyDir: { sizeLimit: "20Gi" } },
    ...(gpu ? [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } }] : []),
  ];
  return {
    // No replicas: the HorizontalPodAutoscaler owns the count.
    selector: { matchLabels: versionSelector(app, version.name) },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: {
        labels: { ...serviceLabels(app, version.name), "sidecar.istio.io/inject": "true" },
        annotations: scrapeAnnotations(service.port, service.metricsPath),
      },
      spec: {
        serviceAccountName: args.serviceAccount,
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 60,
        securityContext: RESTRICTED_POD,
        containers: [
          {
            name: app,
            image: version.image,
            ports: [{ name: "http", containerPort: service.port, protocol: "TCP" }],
            env: [
              { name: "SERVICE_NAME", value: app },
              { name: "SERVICE_VERSION", value: version.name },
              { name: "PORT", value: String(service.port) },
              { name: "MODEL_CACHE_DIR", value: "/models" },
              ...Object.entries(service.env).map(([name, value]) => ({ name, value })),
            ],
            resources: {
              requests: { ...service.resources.requests },
              limits: { ...service.resources.limits, ...(gpu ? { [GPU_RESOURCE]: String(service.gpu) } : {}) },
            },
            securityContext: RESTRICTED_CONTAINER,
            ...httpProbes(service),
            volumeMounts: [
              { name: "tmp", mountPath: "/tmp" },
              { name: "model-cache", mountPath: "/models" },
              ...(gpu ? [{ name: "dshm", mountPath: "/dev/shm" }] : []),
            ],
          },
        ],
        volumes,
        topologySpreadConstraints: zoneSpread(versionSelector(app, version.name)),
        ...gpuPlacement(gpu),
      },
    },
  };
}
