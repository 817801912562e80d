// AiPlatform: the application namespace (injected, default-deny), the edge Gateway and route,
// optional edge JWT, and every AI service of the config wired by the call graph.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AiService, serviceHost } from "./aiService";
import { allowedCallers } from "./callGraph";
import type { CallGraphEdge, IstioConfig, ServicesConfig } from "../config";
import type { ServiceMesh } from "../mesh/mesh";
import { INGRESS_CALLER, PART_OF } from "../core/names";
import type { Weights } from "../core/weights";
import { edgeRoutes, type EdgeTarget } from "./traffic";

export const EDGE_GATEWAY = "edge";

export interface AiPlatformArgs {
  services: ServicesConfig;
  callGraph: CallGraphEdge[];
  ingress: IstioConfig["ingress"];
  gpu: boolean;
  mesh: ServiceMesh;
  /** Where the HPAs read CPU from (the metrics-server release); none when the cluster has its own. */
  metricsApi: pulumi.Resource[];
}

/** The URL users reach web at; with a wildcard host, where to find the load balancer's name. */
export function webUrl(ingress: IstioConfig["ingress"]): string {
  const host = ingress.hosts.find((h) => !h.includes("*"));
  if (!host) {
    return `http://<load balancer hostname> (kubectl -n istio-ingress get svc istio-ingressgateway)`;
  }
  return `${ingress.certificateArn ? "https" : "http"}://${host}/`;
}

export class AiPlatform extends pulumi.ComponentResource {
  readonly namespace: string;
  /** By config key. */
  readonly services: Record<string, AiService>;
  readonly webUrl: string;
  /** By service key. */
  readonly weights: Record<string, Weights>;

  constructor(name: string, args: AiPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:AiPlatform", name, {}, opts);
    const { mesh, services } = args;
    this.namespace = services.namespace;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: this.namespace,
          labels: {
            ...mesh.injectionLabels,
            "app.kubernetes.io/part-of": PART_OF,
            // Sidecar init containers need NET_ADMIN, so "restricted" is reported, not enforced.
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      { parent: this, dependsOn: [mesh.istiod] },
    );
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

    const entries = services.list.map((service) => {
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
    this.weights = Object.fromEntries(entries.map(([key, s]) => [key, s.weights]));

    const gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: inNamespace(EDGE_GATEWAY),
        spec: {
          selector: mesh.gatewaySelector,
          servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: args.ingress.hosts }],
        },
      },
      { parent: this, dependsOn: [...ready, mesh.gateway] },
    );
    // What the call graph lets the ingress gateway call is what the edge routes to.
    const targets: EdgeTarget[] = args.callGraph
      .filter((edge) => edge.from === INGRESS_CALLER)
      .map((edge) => {
        const service = services.list.find((s) => s.key === edge.to)!;
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
            http: edgeRoutes(targets),
          },
        },
        { parent: this, dependsOn: [gateway, ...targets.map((t) => this.services[t.service.key])] },
      );
    }
    if (args.ingress.jwt) this.edgeJwt(name, args.ingress.jwt, mesh);

    this.webUrl = webUrl(args.ingress);
    this.registerOutputs({ namespace: this.namespace, webUrl: this.webUrl, weights: this.weights });
  }

  /** Requires a valid JWT on every request through the ingress gateway. */
  private edgeJwt(name: string, jwt: NonNullable<IstioConfig["ingress"]["jwt"]>, mesh: ServiceMesh) {
    const opts = { parent: this, dependsOn: [mesh.gateway] };
    const meta = (objectName: string) => ({ name: objectName, namespace: mesh.ingressNamespace });
    new k8s.apiextensions.CustomResource(
      `${name}-edge-jwt`,
      {
        apiVersion: "security.istio.io/v1",
        kind: "RequestAuthentication",
        metadata: meta("edge-jwt"),
        spec: {
          selector: { matchLabels: mesh.gatewaySelector },
          jwtRules: [
            {
              issuer: jwt.issuer,
              jwksUri: jwt.jwksUri,
              ...(jwt.audiences.length > 0 ? { audiences: jwt.audiences } : {}),
              forwardOriginalToken: true,
            },
          ],
        },
      },
      opts,
    );
    // RequestAuthentication alone lets token-less requests through; this denies them.
    new k8s.apiextensions.CustomResource(
      `${name}-edge-require-jwt`,
      {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: meta("edge-require-jwt"),
        spec: {
          selector: { matchLabels: mesh.gatewaySelector },
          action: "DENY",
          rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
        },
      },
      opts,
    );
  }
}
