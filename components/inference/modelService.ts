// ModelService: one llm service. Per version: the model servers (Deployment), their InferencePool and
// endpoint picker (the pinned inferencepool chart), and a KEDA ScaledObject on the queue. For the
// service: the HTTPRoute that splits the model's requests between the versions by weight, the model's
// InferenceObjective (its priority), an ALLOW policy for the LLM gateway alone, a PDB, the pickers'
// NetworkPolicy and the download egress.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkpointCacheGiB, type ModelFit } from "../capacity/gpuMemory";
import { durationSeconds } from "../config/durations";
import { CHARTS, chartArgs } from "../charts/pins";
import type { ChartsConfig, LlmServiceConfig } from "../config";
import { s3Bucket } from "../config/llmSchema";
import { serviceLabels } from "../core/names";
import { allowCallers } from "../workload/allowCallers";
import { egressEntry } from "../workload/egress";
import { configuredWeights, type Weights } from "../core/weights";
import { inferencePoolValues } from "./chartValues";
import { pickerPolicySpec } from "./fences";
import { modelServerSpec } from "./modelServer";
import { versionModel } from "../config/modelVersions";
import { pickerName, poolName } from "../core/inferenceNames";
import { GATEWAY_API_GROUP, modelRouteSpec, type GatewayRef } from "./routing";
import { scaledObjectSpec } from "./scaling";
import { objectiveSpec } from "./objective";
import { INFERENCE_OBJECTIVE_API } from "../charts/inferenceExtension";

/** The Kubernetes provider waits this long for a Deployment to be ready before `pulumi up` fails. */
const PULUMI_TIMEOUT = "pulumi.com/timeoutSeconds";
/** A node launch and a large image pull come before the startup probe's clock starts. */
const BEFORE_START_SECONDS = 15 * 60;

/**
 * How long `pulumi up` waits for a model server: its startupTimeout (weights download, load,
 * compile: up to 30 minutes for vLLM) plus a node and an image. The provider's default is 10
 * minutes, and the model's route waits on these Deployments.
 */
export function rolloutSeconds(service: LlmServiceConfig): number {
  return durationSeconds(service.startupTimeout) + BEFORE_START_SECONDS;
}

export interface ModelServiceArgs {
  namespace: string;
  config: LlmServiceConfig;
  /** Whether GPUs are schedulable in the cluster. */
  gpu: boolean;
  /** The model's fit on the cluster's GPUs (EKS), for node affinity. */
  fit?: ModelFit;
  /** Whether the GPU nodes keep the weights in their model cache (cluster/modelCache.ts). */
  nodeCache: boolean;
  gateway: { ref: GatewayRef; principal: string };
  /** Where KEDA reads the queue from, and where Prometheus scrapes the pickers from. */
  prometheusUrl: string;
  monitoringNamespace: string;
  pickerReplicas: number;
  charts: ChartsConfig;
  /** For S3 sources: the bucket host names the sync reaches. */
  region?: string;
  /** Namespace, istiod, CRDs and Pod Identity: what the model servers and pools need first. */
  dependsOn: pulumi.Resource[];
  /** KEDA (its CRDs and webhook), before any ScaledObject. */
  autoscaler: pulumi.Resource[];
  /** The Gateway (and its router), before the route that attaches to it. */
  gatewayReady: pulumi.Resource[];
}

/** The hosts a version's download reaches beside the service's own egress list (S3, by region). */
export function downloadHosts(service: LlmServiceConfig, region: string | undefined): string[] {
  const buckets = service.versions.map((v) => s3Bucket(versionModel(service, v).source)).filter((b) => b);
  if (buckets.length === 0 || !region) return [];
  return [...new Set(buckets.map((b) => `${b}.s3.${region}.amazonaws.com`)), `s3.${region}.amazonaws.com`];
}

export class ModelService extends pulumi.ComponentResource {
  readonly weights: Weights;
  readonly route: k8s.apiextensions.CustomResource;

  constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:ModelService", name, {}, opts);
    const { config, namespace } = args;
    const app = config.app;
    const labels = serviceLabels(app);
    const meta = (objectName: string, objectLabels = labels) => ({ name: objectName, namespace, labels: objectLabels });
    const child = { parent: this, dependsOn: args.dependsOn };
    this.weights = configuredWeights(config);

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: meta(app), automountServiceAccountToken: false },
      child,
    );
    const deployments: pulumi.Resource[] = [];
    const pools = config.versions.map((version) => {
      const deploymentName = `${app}-${version.name}`;
      const versionLabels = serviceLabels(app, version.name);
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-${version.name}`,
        {
          metadata: {
            ...meta(deploymentName, versionLabels),
            annotations: { [PULUMI_TIMEOUT]: String(rolloutSeconds(config)) },
          },
          spec: modelServerSpec({
            app,
            service: config,
            version,
            gpu: args.gpu,
            instanceTypes: args.fit?.instanceTypes,
            cacheGiB: checkpointCacheGiB(config),
            nodeCache: args.nodeCache,
          }),
        },
        { parent: this, dependsOn: [...args.dependsOn, serviceAccount] },
      );
      deployments.push(deployment);
      new k8s.apiextensions.CustomResource(
        `${name}-${version.name}-scaler`,
        {
          apiVersion: "keda.sh/v1alpha1",
          kind: "ScaledObject",
          metadata: meta(deploymentName, versionLabels),
          spec: scaledObjectSpec({
            service: config,
            version,
            namespace,
            deployment: deploymentName,
            prometheusUrl: args.prometheusUrl,
          }),
        },
        { parent: this, dependsOn: [deployment, ...args.autoscaler] },
      );
      const pool = poolName(app, version.name);
      return new k8s.helm.v3.Release(
        `${name}-${version.name}-pool`,
        {
          name: pool,
          ...chartArgs(CHARTS.inferencePool, args.charts),
          namespace,
          values: inferencePoolValues({
            app,
            version: version.name,
            pool,
            port: config.port,
            pickerReplicas: args.pickerReplicas,
          }),
          skipAwait: false,
          timeout: 600,
        },
        child,
      );
    });

    // Pools before the route that names them, or the gateway answers 500 meanwhile; and the model
    // servers (pulumi up waits for their Deployments to be ready) so a version new in this update
    // gets its weight only once a pod of it can answer.
    this.route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: `${GATEWAY_API_GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: meta(app),
        spec: modelRouteSpec(config, this.weights, args.gateway.ref),
      },
      { parent: this, dependsOn: [...pools, ...deployments, ...args.gatewayReady] },
    );

    // The model's priority, in the heaviest version's pool (objective.ts); after the pools, whose CRDs it needs too.
    new k8s.apiextensions.CustomResource(
      `${name}-objective`,
      {
        apiVersion: INFERENCE_OBJECTIVE_API,
        kind: "InferenceObjective",
        metadata: meta(app),
        spec: objectiveSpec(config, this.weights),
      },
      { parent: this, dependsOn: pools },
    );

    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: meta(app), spec: { maxUnavailable: 1, selector: { matchLabels: { app } } } },
      child,
    );
    // The gateway sends the requests (to the pod its picker chose); nothing else calls a model server.
    // The pickers read the servers' metrics on the sidecar agent's port, which is outside mTLS.
    const gateway = { principal: args.gateway.principal, methods: ["POST"], paths: ["/v1/*"] };
    allowCallers(`${name}-allow`, meta(`${app}-allow-callers`), app, config.port, [gateway], child);
    new k8s.networking.v1.NetworkPolicy(
      `${name}-picker-callers`,
      {
        metadata: meta(`${app}-picker-callers`),
        spec: pickerPolicySpec({
          pickers: config.versions.map((v) => pickerName(poolName(app, v.name))),
          gatewayNamespace: args.gateway.ref.namespace,
          monitoringNamespace: args.monitoringNamespace,
        }),
      },
      child,
    );
    const egress = [...new Set([...config.egress, ...downloadHosts(config, args.region)])];
    if (egress.length > 0) egressEntry(`${name}-egress`, meta(`${app}-egress`), egress, child);
    this.registerOutputs({ weights: this.weights });
  }
}
