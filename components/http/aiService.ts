// AiService: one service with N versions → ServiceAccount, Deployments, Service, DestinationRule,
// VirtualService (after its subsets), ALLOW policy for its callers, PDB, HPAs, rate limit, egress.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AllowedCall } from "../workload/callGraph";
import type { HttpServiceConfig } from "../config";
import { versionReplicas } from "../config/replicas";
import { serviceLabels } from "../core/names";
import { configuredWeights, type Weights } from "../core/weights";
import { allowCallers } from "../workload/allowCallers";
import { egressEntry } from "../workload/egress";
import { localRateLimitSpec } from "./rateLimit";
import { SERVICE_PORT, httpRoute, subsets, trafficPolicy } from "./traffic";
import { deploymentSpec } from "./deployment";

export interface AiServiceArgs {
  app: string;
  namespace: string;
  config: HttpServiceConfig;
  callers: AllowedCall[];
  gpu: boolean;
  /** The namespace and istiod must exist first. */
  dependsOn: pulumi.Resource[];
  /** Where the HPAs read CPU from (the metrics-server release); none when the cluster has its own. */
  metricsApi: pulumi.Resource[];
}

export function serviceHost(app: string, namespace: string): string {
  return `${app}.${namespace}.svc.cluster.local`;
}

export class AiService extends pulumi.ComponentResource {
  readonly host: string;
  readonly weights: Weights;
  readonly serviceAccountName: string;
  readonly virtualService: k8s.apiextensions.CustomResource;

  constructor(name: string, args: AiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:AiService", name, {}, opts);
    const { app, namespace, config } = args;
    const labels = serviceLabels(app);
    const meta = (objectName: string, extraLabels = labels) => ({ name: objectName, namespace, labels: extraLabels });
    const child = { parent: this, dependsOn: args.dependsOn };
    this.host = serviceHost(app, namespace);
    this.weights = configuredWeights(config);
    this.serviceAccountName = app;

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: meta(app), automountServiceAccountToken: false },
      child,
    );
    for (const version of config.versions) {
      const deploymentName = `${app}-${version.name}`;
      const versionLabels = serviceLabels(app, version.name);
      new k8s.apps.v1.Deployment(
        `${name}-${version.name}`,
        {
          metadata: meta(deploymentName, versionLabels),
          spec: deploymentSpec({ app, serviceAccount: app, service: config, version, gpu: args.gpu }),
        },
        { parent: this, dependsOn: [...args.dependsOn, serviceAccount] },
      );
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-${version.name}`,
        {
          metadata: meta(deploymentName, versionLabels),
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
            minReplicas: versionReplicas(config, version).min,
            maxReplicas: versionReplicas(config, version).max,
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: { type: "Utilization", averageUtilization: config.targetCpuUtilization },
                },
              },
            ],
          },
        },
        // An HPA without the metrics API shows <unknown> and never scales: install that first.
        { parent: this, dependsOn: [...args.dependsOn, ...args.metricsApi] },
      );
    }

    new k8s.core.v1.Service(
      `${name}-svc`,
      {
        metadata: meta(app),
        spec: {
          selector: { app },
          ports: [{ name: "http", port: SERVICE_PORT, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
        },
      },
      child,
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: meta(app), spec: { maxUnavailable: 1, selector: { matchLabels: { app } } } },
      child,
    );

    const destinationRule = new k8s.apiextensions.CustomResource(
      `${name}-dr`,
      {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: meta(app),
        spec: { host: this.host, trafficPolicy: trafficPolicy(config), subsets: subsets(config) },
      },
      child,
    );
    // Subsets must exist before a route names them, or Envoy returns 503s (NR) meanwhile.
    this.virtualService = new k8s.apiextensions.CustomResource(
      `${name}-vs`,
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: meta(app),
        spec: { hosts: [this.host], gateways: ["mesh"], http: [httpRoute(this.host, config)] },
      },
      { parent: this, dependsOn: [...args.dependsOn, destinationRule] },
    );

    if (args.callers.length > 0) {
      allowCallers(`${name}-allow`, meta(`${app}-allow-callers`), app, config.port, args.callers, child);
    }

    if (config.egress.length > 0) egressEntry(`${name}-egress`, meta(`${app}-egress`), config.egress, child);

    if (config.rateLimit) {
      new k8s.apiextensions.CustomResource(
        `${name}-ratelimit`,
        {
          apiVersion: "networking.istio.io/v1alpha3",
          kind: "EnvoyFilter",
          metadata: meta(`${app}-local-ratelimit`),
          spec: localRateLimitSpec(app, config.rateLimit),
        },
        child,
      );
    }
    this.registerOutputs({ host: this.host, weights: this.weights });
  }
}
