// The hardened pod spec of one service version. Pure: config in, Kubernetes object out.
import type * as k8s from "@pulumi/kubernetes";
import type { ServiceConfig, VersionConfig } from "../config";
import { durationSeconds } from "../config/durations";
import { serviceLabels, versionSelector } from "../core/names";
import { GPU_NODE_SELECTOR, GPU_RESOURCE, GPU_TOLERATION } from "../cluster/gpu";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;

/** Non-root UID/GID the images run as (any non-zero id works with readOnlyRootFilesystem). */
export const RUN_AS = 10001;
const STARTUP_PERIOD_SECONDS = 10;

export interface WorkloadArgs {
  app: string;
  serviceAccount: string;
  service: ServiceConfig;
  version: VersionConfig;
  /** Whether GPUs are schedulable; without them object-detector runs on CPU. */
  gpu: boolean;
}

export function usesGpu(args: Pick<WorkloadArgs, "gpu" | "service">): boolean {
  return args.gpu && args.service.gpu > 0;
}

export function deploymentSpec(args: WorkloadArgs): DeploymentSpec {
  const { app, service, version } = args;
  const gpu = usesGpu(args);
  const startupFailures = Math.max(1, Math.ceil(durationSeconds(service.startupTimeout) / STARTUP_PERIOD_SECONDS));
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
        // Istio metrics merging: the sidecar agent scrapes these and serves them with Envoy's on
        // :15020, which Prometheus can reach under STRICT mTLS.
        annotations: {
          "prometheus.io/scrape": "true",
          "prometheus.io/port": String(service.port),
          "prometheus.io/path": service.metricsPath,
        },
      },
      spec: {
        serviceAccountName: args.serviceAccount,
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 60,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: RUN_AS,
          runAsGroup: RUN_AS,
          fsGroup: RUN_AS,
          seccompProfile: { type: "RuntimeDefault" },
        },
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
            securityContext: {
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              privileged: false,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
            startupProbe: {
              httpGet: { path: service.healthPath, port: "http" },
              periodSeconds: STARTUP_PERIOD_SECONDS,
              failureThreshold: startupFailures,
            },
            readinessProbe: {
              httpGet: { path: service.readinessPath, port: "http" },
              periodSeconds: 5,
              failureThreshold: 3,
            },
            livenessProbe: {
              httpGet: { path: service.healthPath, port: "http" },
              periodSeconds: 10,
              failureThreshold: 3,
            },
            volumeMounts: [
              { name: "tmp", mountPath: "/tmp" },
              { name: "model-cache", mountPath: "/models" },
              ...(gpu ? [{ name: "dshm", mountPath: "/dev/shm" }] : []),
            ],
          },
        ],
        volumes,
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: versionSelector(app, version.name) },
          },
        ],
        ...(gpu ? { tolerations: [GPU_TOLERATION], nodeSelector: { ...GPU_NODE_SELECTOR } } : {}),
      },
    },
  };
}
