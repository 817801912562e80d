// InferenceGateway: where LLM traffic enters. Its own Istio gateway deployment (the pinned gateway
// chart, in its own namespace, sized like the ingress gateway, its pods labelled with the Gateway's
// name so istiod gives them the pickers' ext_proc filter), a Gateway API Gateway linked to it,
// and body-based routing in its filter chain, which copies the request's "model" into a header the
// model routes match. Only the services namespace may attach routes. Facing the internet: TLS at its
// NLB with no plain-HTTP port at all, bearer tokens checked, and a request limit per client.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, chartArgs, istioChart } from "../charts/pins";
import type { ChartsConfig, IstioConfig, LlmConfig } from "../config";
import { principal } from "../core/names";
import type { ServiceMesh } from "../mesh/mesh";
import { gatewayUrl } from "../mesh/gatewayUrl";
import { edgeJwt } from "../mesh/edgeJwt";
import { terminatesTls, type PlainHttp } from "../mesh/frontDoor";
import { meshNamespace } from "../workload/namespaces";
import { bodyBasedRoutingValues } from "./chartValues";
import { clientRateLimitSpec } from "./clientRateLimit";
import { llmGatewayValues } from "./gatewayPods";
import { chartLimitRangeSpec, routerPolicySpec } from "./fences";
import { GATEWAY_API_GROUP, llmGatewaySpec, type GatewayRef } from "./routing";
import { BBR_NAME, LLM_GATEWAY, LLM_GATEWAY_RELEASE, LLM_GATEWAY_SELECTOR } from "../core/inferenceNames";

/**
 * No port 80 behind TLS: the LLM gateway's callers are API clients with a configured base URL, not
 * browsers; a 301 would come only after an http:// client had sent its token in cleartext, and a
 * POST client may not re-send its body to the new location anyway.
 */
const LLM_PLAIN_HTTP: PlainHttp = "closed";

export interface InferenceGatewayArgs {
  llm: LlmConfig;
  istio: IstioConfig;
  charts: ChartsConfig;
  mesh: ServiceMesh;
  /** The Gateway API and Inference Extension CRDs. */
  crds: pulumi.Resource[];
  /** The namespace whose routes the Gateway takes (the services namespace). */
  routesNamespace: string;
}

export class InferenceGateway extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly gatewayRef: GatewayRef;
  /** The gateway pods' mesh identity: the model servers admit it alone. */
  readonly principal: string;
  readonly url: string;
  /** Depend on these for "the gateway routes": the Gateway, its deployment, the router. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: InferenceGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:InferenceGateway", name, {}, opts);
    const { llm, mesh } = args;
    this.namespace = llm.namespace;
    this.gatewayRef = { name: LLM_GATEWAY, namespace: this.namespace };
    this.principal = principal(this.namespace, LLM_GATEWAY_RELEASE);
    const meta = (objectName: string) => ({ name: objectName, namespace: this.namespace });

    const namespace = meshNamespace(`${name}-namespace`, this.namespace, mesh, { parent: this });
    const inNamespace = { parent: this, dependsOn: [namespace] };
    const limits = new k8s.core.v1.LimitRange(
      `${name}-chart-limits`,
      { metadata: meta("chart-pod-defaults"), spec: chartLimitRangeSpec() },
      inNamespace,
    );

    const deployment = new k8s.helm.v3.Release(
      `${name}-deployment`,
      {
        name: LLM_GATEWAY_RELEASE,
        ...chartArgs(istioChart("gateway", args.istio.version), args.charts),
        namespace: this.namespace,
        values: llmGatewayValues(args.istio, llm.gateway, LLM_PLAIN_HTTP),
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [namespace, mesh.istiod] },
    );
    // As for the ingress gateway: with one replica a PDB would only block drains.
    if (llm.gateway.minReplicas >= 2) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-deployment`,
        {
          metadata: meta(LLM_GATEWAY_RELEASE),
          spec: { maxUnavailable: 1, selector: { matchLabels: LLM_GATEWAY_SELECTOR } },
        },
        { parent: this, dependsOn: [deployment] },
      );
    }
    const tls = terminatesTls(llm.gateway);
    const gatewaySpec = llmGatewaySpec({
      hosts: llm.gateway.hosts,
      gatewayNamespace: this.namespace,
      routesNamespace: args.routesNamespace,
      tls,
    });
    const gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: `${GATEWAY_API_GROUP}/v1`,
        kind: "Gateway",
        metadata: meta(LLM_GATEWAY),
        spec: gatewaySpec,
      },
      { parent: this, dependsOn: [deployment, ...args.crds] },
    );
    const router = new k8s.helm.v3.Release(
      `${name}-body-based-routing`,
      {
        name: BBR_NAME,
        ...chartArgs(CHARTS.bodyBasedRouting, args.charts),
        namespace: this.namespace,
        values: bodyBasedRoutingValues(),
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [namespace, limits, mesh.istiod] },
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-router-callers`,
      { metadata: meta(`${BBR_NAME}-callers`), spec: routerPolicySpec(this.namespace) },
      inNamespace,
    );
    if (llm.gateway.jwt) {
      edgeJwt(
        name,
        llm.gateway.jwt,
        // Every port the LLM gateway opens serves (no port 80 behind TLS): a token on each.
        { namespace: this.namespace, selector: { ...LLM_GATEWAY_SELECTOR }, redirectOnly: false },
        { parent: this, dependsOn: [deployment] },
      );
    }
    if (llm.clientRateLimit) {
      new k8s.apiextensions.CustomResource(
        `${name}-client-rate-limit`,
        {
          apiVersion: "networking.istio.io/v1alpha3",
          kind: "EnvoyFilter",
          metadata: meta("client-rate-limit"),
          spec: clientRateLimitSpec(llm.clientRateLimit, LLM_GATEWAY_SELECTOR),
        },
        { parent: this, dependsOn: [deployment] },
      );
    }

    this.url = gatewayUrl(llm.gateway, { namespace: this.namespace, name: LLM_GATEWAY_RELEASE });
    this.ready = [gateway, deployment, router];
    this.registerOutputs({ namespace: this.namespace, principal: this.principal, url: this.url });
  }
}
