// AiPlatform: the application namespace (injected, default-deny), the edge Gateway and route,
// optional edge JWT, every HTTP service of the config wired by the call graph, and every llm service
// behind the inference gateway.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AiService, serviceHost } from "../http/aiService";
import { allowedCallers } from "../workload/callGraph";
import { edgeJwt } from "../mesh/edgeJwt";
import type { ModelFit } from "../capacity/gpuMemory";
import type { ModelAccess } from "../cluster/modelAccess";
import {
  isLlm,
  type CallGraphEdge,
  type ChartsConfig,
  type HttpServiceConfig,
  type IstioConfig,
  type ServicesConfig,
} from "../config";
import { chartLimitRangeSpec } from "../inference/fences";
import { ModelService } from "../inference/modelService";
import type { GatewayRef } from "../inference/routing";
import type { ServiceMesh } from "../mesh/mesh";
import { INGRESS_CALLER, INGRESS_GATEWAY_NAME, ISTIO_INGRESS_NAMESPACE } from "../core/names";
import { gatewayUrl } from "../mesh/gatewayUrl";
import { HTTPS_PORT, gatewayServers, terminatesTls } from "../mesh/frontDoor";
import { meshNamespace } from "../workload/namespaces";
import type { Weights } from "../core/weights";
import { edgeRoutes, type EdgeTarget } from "../http/traffic";

export const EDGE_GATEWAY = "edge";

export interface AiPlatformArgs {
  services: ServicesConfig;
  callGraph: CallGraphEdge[];
  ingress: IstioConfig["ingress"];
  gpu: boolean;
  mesh: ServiceMesh;
  /** Where the HPAs read CPU from (the metrics-server release); none when the cluster has its own. */
  metricsApi: pulumi.Resource[];
  /** What llm services need; absent when the stack has none. */
  inference?: PlatformInference;
}

export interface PlatformInference {
  gateway: { ref: GatewayRef; principal: string };
  /** The Gateway and its router, before any model route. */
  gatewayReady: pulumi.Resource[];
  crds: pulumi.Resource[];
  /** KEDA, before any ScaledObject. */
  autoscaler: pulumi.Resource[];
  prometheusUrl: string;
  monitoringNamespace: string;
  pickerReplicas: number;
  charts: ChartsConfig;
  /** Each vLLM model's fit on the cluster's GPUs (EKS). */
  fits: ModelFit[];
  /** Whether the GPU nodes keep the weights in their model cache. */
  nodeCache: boolean;
  modelAccess: ModelAccess;
  region?: string;
}

/** The URL users reach web at. */
export function webUrl(ingress: IstioConfig["ingress"]): string {
  return gatewayUrl(ingress, { namespace: ISTIO_INGRESS_NAMESPACE, name: INGRESS_GATEWAY_NAME });
}

export class AiPlatform extends pulumi.ComponentResource {
  readonly namespace: string;
  /** HTTP services by config key. */
  readonly services: Record<string, AiService>;
  /** llm services by config key. */
  readonly models: Record<string, ModelService>;
  readonly webUrl: string;
  /** By service key. */
  readonly weights: Record<string, Weights>;

  constructor(name: string, args: AiPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:AiPlatform", name, {}, opts);
    const { mesh, services } = args;
    this.namespace = services.namespace;
    const namespace = meshNamespace(`${name}-namespace`, this.namespace, mesh, { parent: this });
    const ready = [namespace, mesh.istiod];
    const inNamespace = (objectName: string) => ({ name: objectName, namespace: this.namespace });

    // Deny by default: with an empty spec nothing matches, so nothing is allowed unless a policy says so.
    new k8s.apiextensions.CustomResource(
      `${name}-allow-nothing`,
      {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: inNamespace("allow-nothing"),
        spec: {},
      },
      { parent: this, dependsOn: ready },
    );

    const http = services.list.filter((service): service is HttpServiceConfig => !isLlm(service));
    const entries = http.map((service) => {
      const component = new AiService(
        `${name}-${service.app}`,
        {
          app: service.app,
          namespace: this.namespace,
          config: service,
          callers: allowedCallers(args.callGraph, service.key, this.namespace, mesh.gatewayPrincipal),
          gpu: args.gpu,
          dependsOn: ready,
          metricsApi: args.metricsApi,
        },
        { parent: this },
      );
      return [service.key, component] as const;
    });
    this.services = Object.fromEntries(entries);
    this.models = this.modelServices(name, args, ready);
    this.weights = {
      ...Object.fromEntries(entries.map(([key, s]) => [key, s.weights])),
      ...Object.fromEntries(Object.entries(this.models).map(([key, s]) => [key, s.weights])),
    };

    const gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: inNamespace(EDGE_GATEWAY),
        spec: {
          selector: mesh.gatewaySelector,
          servers: gatewayServers(args.ingress),
        },
      },
      { parent: this, dependsOn: [...ready, mesh.gateway] },
    );
    // What the call graph lets the ingress gateway call is what the edge routes to.
    const targets: EdgeTarget[] = args.callGraph
      .filter((edge) => edge.from === INGRESS_CALLER)
      .map((edge) => {
        const service = http.find((s) => s.key === edge.to)!;
        return { host: serviceHost(service.app, this.namespace), service, paths: edge.paths };
      });
    if (targets.length > 0) {
      const apps = [...new Set(targets.map((t) => t.service.app))];
      new k8s.apiextensions.CustomResource(
        `${name}-edge-route`,
        {
          apiVersion: "networking.istio.io/v1",
          kind: "VirtualService",
          metadata: inNamespace(apps.length === 1 ? `edge-to-${apps[0]}` : "edge"),
          spec: {
            hosts: args.ingress.hosts,
            gateways: [`${this.namespace}/${EDGE_GATEWAY}`],
            // The same canary split as each service's in-mesh route, so edge traffic honours the weights too.
            // With TLS at the NLB only 443 serves; port 80 is left to its redirect.
            http: edgeRoutes(targets, terminatesTls(args.ingress) ? HTTPS_PORT : undefined),
          },
        },
        { parent: this, dependsOn: [gateway, ...targets.map((t) => this.services[t.service.key])] },
      );
    }
    if (args.ingress.jwt) {
      edgeJwt(
        `${name}-edge`,
        args.ingress.jwt,
        { namespace: mesh.ingressNamespace, selector: mesh.gatewaySelector, redirectOnly: terminatesTls(args.ingress) },
        { parent: this, dependsOn: [mesh.gateway] },
      );
    }

    this.webUrl = webUrl(args.ingress);
    this.registerOutputs({ namespace: this.namespace, webUrl: this.webUrl, weights: this.weights });
  }

  /** Every llm service behind the inference gateway, with the picker pods' default requests. */
  private modelServices(name: string, args: AiPlatformArgs, ready: pulumi.Resource[]): Record<string, ModelService> {
    const llm = args.services.list.filter(isLlm);
    const inference = args.inference;
    if (llm.length === 0) return {};
    if (!inference) throw new Error("llm services need the inference gateway (index.ts creates it)");
    const limits = new k8s.core.v1.LimitRange(
      `${name}-chart-limits`,
      { metadata: { name: "chart-pod-defaults", namespace: this.namespace }, spec: chartLimitRangeSpec() },
      { parent: this, dependsOn: ready },
    );
    const entries = llm.map((service) => {
      const component = new ModelService(
        `${name}-${service.app}`,
        {
          namespace: this.namespace,
          config: service,
          gpu: args.gpu,
          fit: inference.fits.find((f) => f.service === service.key),
          nodeCache: inference.nodeCache,
          gateway: inference.gateway,
          prometheusUrl: inference.prometheusUrl,
          monitoringNamespace: inference.monitoringNamespace,
          pickerReplicas: inference.pickerReplicas,
          charts: inference.charts,
          region: inference.region,
          dependsOn: [...ready, limits, ...inference.crds, ...(inference.modelAccess[service.key] ?? [])],
          autoscaler: inference.autoscaler,
          gatewayReady: inference.gatewayReady,
        },
        { parent: this },
      );
      return [service.key, component] as const;
    });
    return Object.fromEntries(entries);
  }
}
