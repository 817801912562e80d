// The Deployment spec of one HTTP service version: the shared hardened pod with the service's image,
// env, resources, probes and volumes. Pure: config in, Kubernetes object out.
import type * as k8s from "@pulumi/kubernetes";
import { GPU_RESOURCE } from "../cluster/gpu";
import type { HttpServiceConfig, VersionConfig } from "../config";
import { serviceLabels, versionSelector } from "../core/names";
import {
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  gpuPlacement,
  httpProbes,
  scrapeAnnotations,
  usesGpu,
  zoneSpread,
} from "../workload/podSpec";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;

export interface WorkloadArgs {
  app: string;
  serviceAccount: string;
  service: HttpServiceConfig;
  version: VersionConfig;
  /** Whether GPUs are schedulable; without them object-detector runs on CPU. */
  gpu: boolean;
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
