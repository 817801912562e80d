// Composition root: config → components → stack outputs. No logic lives here.
import * as random from "@pulumi/random";
import { capacityOutput } from "./components/capacity/output";
import { eksLayer } from "./components/cluster/eksLayer";
import { existingLayer } from "./components/cluster/existingLayer";
import { MetricsServer } from "./components/cluster/metricsServer";
import { gpuNodesCacheModels } from "./components/cluster/modelCache";
import { loadConfig } from "./components/config";
import { ServiceMesh } from "./components/mesh/mesh";
import { Observability } from "./components/observability/observability";
import { AiPlatform } from "./components/platform/aiPlatform";
import { InferenceCrds } from "./components/inference/crds";
import { InferenceGateway } from "./components/inference/inferenceGateway";
import { Keda } from "./components/inference/keda";
import { prometheusUrl } from "./components/observability/values";
import { hasLlm, preflight } from "./components/preflight";

/** The stack program; the Automation API runs it inline (`test/e2e/run.ts`, `npm run canary`), the CLI through this module. */
export = async () => {
  const config = loadConfig();
  const checked = preflight(config);
  const cluster = config.cluster;
  const layer = cluster.mode === "eks" ? eksLayer({ ...config, cluster }) : existingLayer({ ...config, cluster });
  const k8sOpts = { providers: [layer.provider] };
  // Default providers are disabled, random's too; created only when something is generated, so a
  // stack without generated values needs no random plugin.
  let randomProvider: random.Provider | undefined;
  const randomProviderOnce = () => (randomProvider ??= new random.Provider("random"));

  // Serving LLMs: the Gateway API and Inference Extension CRDs come first (istiod watches them).
  const llm = hasLlm(config);
  const crds = llm
    ? new InferenceCrds(
        "inference-crds",
        { mode: config.llm.crds, charts: config.charts, dependsOn: layer.ready },
        k8sOpts,
      )
    : undefined;
  const mesh = new ServiceMesh(
    "mesh",
    {
      istio: config.istio,
      observability: config.observability,
      charts: config.charts,
      // Spans go to the tracing backend only when observability installs one.
      tracingNamespace: config.observability.enabled ? config.observability.namespace : undefined,
      dependsOn: layer.ready,
      inference: crds ? { crds: crds.ready } : undefined,
    },
    k8sOpts,
  );
  // The metrics API every HPA reads. Created after istiod on purpose: `destroy` deletes in reverse
  // dependency depth, and a namespace cannot finish terminating while an APIService it must discover
  // is unavailable; at istiod's depth the release goes no later than the stack's namespaces.
  const metricsServer =
    config.cluster.metricsServer === "install"
      ? new MetricsServer(
          "metrics-server",
          {
            charts: config.charts,
            nodeSelector: layer.systemNodeSelector,
            kubeletInsecureTls: config.cluster.mode === "existing" && config.cluster.kubeletInsecureTls,
            dependsOn: [...layer.ready, mesh.istiod],
          },
          k8sOpts,
        )
      : undefined;
  const observability = config.observability.enabled
    ? new Observability(
        "observability",
        {
          config: config.observability,
          charts: config.charts,
          services: config.services,
          gpu: config.gpu,
          storageClass: layer.storageClass,
          alertWebhookUrl: config.alertWebhookUrl,
          mesh,
          randomProvider: randomProviderOnce,
          dependsOn: layer.ready,
        },
        k8sOpts,
      )
    : undefined;
  // KEDA registers an APIService too: created after istiod, like metrics-server (see above).
  const keda =
    llm && config.llm.keda === "install"
      ? new Keda(
          "keda",
          { charts: config.charts, nodeSelector: layer.systemNodeSelector, dependsOn: [...layer.ready, mesh.istiod] },
          k8sOpts,
        )
      : undefined;
  const inferenceGateway = crds
    ? new InferenceGateway(
        "inference-gateway",
        {
          llm: config.llm,
          istio: config.istio,
          charts: config.charts,
          mesh,
          crds: crds.ready,
          routesNamespace: config.services.namespace,
        },
        k8sOpts,
      )
    : undefined;
  const platform = new AiPlatform(
    "platform",
    {
      services: config.services,
      callGraph: config.callGraph,
      ingress: config.istio.ingress,
      gpu: config.gpu,
      mesh,
      metricsApi: metricsServer ? [metricsServer.release] : [],
      inference:
        crds && inferenceGateway
          ? {
              gateway: { ref: inferenceGateway.gatewayRef, principal: inferenceGateway.principal },
              gatewayReady: inferenceGateway.ready,
              crds: crds.ready,
              autoscaler: keda ? [keda.release] : [],
              prometheusUrl: prometheusUrl(config.observability.namespace),
              monitoringNamespace: config.observability.namespace,
              pickerReplicas: config.llm.pickerReplicas,
              charts: config.charts,
              fits: checked.capacity.models,
              nodeCache: gpuNodesCacheModels(config.cluster),
              modelAccess: layer.modelAccess,
              region: config.region,
            }
          : undefined,
    },
    k8sOpts,
  );

  return {
    mode: config.cluster.mode,
    clusterName: layer.clusterName,
    ...layer.outputs,
    meshRootNamespace: mesh.rootNamespace,
    ingressNamespace: mesh.ingressNamespace,
    webUrl: platform.webUrl,
    ...(inferenceGateway ? { llmGatewayUrl: inferenceGateway.url } : {}),
    canaryWeights: platform.weights,
    capacity: capacityOutput(checked.capacity),
    ...(observability ? observability.outputs : {}),
  };
};
