// MetricsServer: the resource metrics API (metrics.k8s.io) every HorizontalPodAutoscaler reads CPU
// from. EKS ships none, and without it no HPA ever scales and no node is ever added for the pods.
// The pinned chart, two replicas on two nodes, a PDB, on the system nodes where there are some.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, chartArgs } from "../charts/pins";
import type { ChartsConfig } from "../config";

export const METRICS_SERVER_RELEASE = "metrics-server";
export const METRICS_SERVER_NAMESPACE = "kube-system";
/** The APIService the chart registers: what `kubectl top` and the HPA controller call. */
export const METRICS_API_SERVICE = "v1beta1.metrics.k8s.io";
export const METRICS_SERVER_REPLICAS = 2;
/** Per replica (the chart's own default, kept explicit: the capacity check counts it). */
export const METRICS_SERVER_RESOURCES = { requests: { cpu: "100m", memory: "200Mi" } };

export interface MetricsServerValuesArgs {
  /** Where the pods must run (EKS: the system nodes); anywhere when absent. */
  nodeSelector?: Record<string, string>;
  /** Skip verifying kubelet serving certificates (kind's are self-signed). */
  kubeletInsecureTls: boolean;
}

export function metricsServerValues(args: MetricsServerValuesArgs) {
  const selector = { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": METRICS_SERVER_RELEASE };
  return {
    replicas: METRICS_SERVER_REPLICAS,
    // One replica may go during a node drain; the other keeps the metrics API answering.
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    resources: METRICS_SERVER_RESOURCES,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
      },
    ],
    ...(args.nodeSelector ? { nodeSelector: args.nodeSelector } : {}),
    ...(args.kubeletInsecureTls ? { args: ["--kubelet-insecure-tls"] } : {}),
  };
}

export interface MetricsServerArgs extends MetricsServerValuesArgs {
  charts: ChartsConfig;
  /** What must exist before it can be scheduled (node groups, add-ons). */
  dependsOn: pulumi.Resource[];
}

export class MetricsServer extends pulumi.ComponentResource {
  /** Depend on this for "the metrics API answers". */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:MetricsServer", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: METRICS_SERVER_RELEASE,
        ...chartArgs(CHARTS.metricsServer, args.charts),
        namespace: METRICS_SERVER_NAMESPACE,
        values: metricsServerValues(args),
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.registerOutputs({ apiService: METRICS_API_SERVICE });
  }
}
