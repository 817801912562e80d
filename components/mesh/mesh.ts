// ServiceMesh: Istio base → istiod (awaited) → ingress gateway, mesh-wide STRICT mTLS and tracing.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartArgs, istioChart, type ISTIO_CHARTS } from "../charts/pins";
import type { ChartsConfig, IstioConfig, ObservabilityConfig } from "../config";
import { gatewayValues, istiodValues } from "./values";
import {
  INGRESS_GATEWAY_NAME,
  INGRESS_GATEWAY_SELECTOR,
  ISTIO_INGRESS_NAMESPACE,
  ISTIO_SYSTEM_NAMESPACE,
  principal,
} from "../core/names";
import { TRACING_PROVIDER } from "./tracing";

export interface ServiceMeshArgs {
  istio: IstioConfig;
  observability: ObservabilityConfig;
  charts: ChartsConfig;
  /** Namespace of the tracing backend the mesh sends spans to; none means no tracing. */
  tracingNamespace?: string;
  /** What must exist before anything can be scheduled (node groups, add-ons). */
  dependsOn: pulumi.Resource[];
  /**
   * Serving LLMs: istiod runs with the Inference Extension on, after the CRDs it watches exist (see
   * inferenceIstiodValues); absent otherwise.
   */
  inference?: { crds: pulumi.Resource[] };
}

export class ServiceMesh extends pulumi.ComponentResource {
  readonly rootNamespace = ISTIO_SYSTEM_NAMESPACE;
  readonly ingressNamespace = ISTIO_INGRESS_NAMESPACE;
  readonly gatewayPrincipal = principal(ISTIO_INGRESS_NAMESPACE, INGRESS_GATEWAY_NAME);
  readonly gatewaySelector: Record<string, string> = { ...INGRESS_GATEWAY_SELECTOR };
  /** Labels that enrol a namespace in sidecar injection for this control plane. */
  readonly injectionLabels: Record<string, string>;
  /** Depend on this for "istiod is ready": CRDs exist and the injection webhook answers. */
  readonly istiod: k8s.helm.v3.Release;
  readonly gateway: k8s.helm.v3.Release;

  constructor(name: string, args: ServiceMeshArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:ServiceMesh", name, {}, opts);
    const { istio } = args;
    this.injectionLabels = istio.revision ? { "istio.io/rev": istio.revision } : { "istio-injection": "enabled" };
    const chart = (chartName: (typeof ISTIO_CHARTS)[number]) =>
      chartArgs(istioChart(chartName, istio.version), args.charts);

    const systemNamespace = new k8s.core.v1.Namespace(
      `${name}-istio-system`,
      { metadata: { name: ISTIO_SYSTEM_NAMESPACE } },
      { parent: this, dependsOn: args.dependsOn },
    );
    const base = new k8s.helm.v3.Release(
      `${name}-base`,
      {
        name: "istio-base",
        ...chart("base"),
        namespace: ISTIO_SYSTEM_NAMESPACE,
        values: { defaultRevision: istio.revision ?? "default" },
      },
      { parent: this, dependsOn: [systemNamespace] },
    );
    this.istiod = new k8s.helm.v3.Release(
      `${name}-istiod`,
      {
        name: istio.revision ? `istiod-${istio.revision}` : "istiod",
        ...chart("istiod"),
        namespace: ISTIO_SYSTEM_NAMESPACE,
        values: istiodValues(istio, args.tracingNamespace, args.inference !== undefined),
        // Await every object of the chart (webhook included) before anything is injected.
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [base, ...(args.inference?.crds ?? [])] },
    );

    const ingressNamespace = new k8s.core.v1.Namespace(
      `${name}-istio-ingress`,
      { metadata: { name: ISTIO_INGRESS_NAMESPACE, labels: this.injectionLabels } },
      { parent: this, dependsOn: [this.istiod] },
    );
    this.gateway = new k8s.helm.v3.Release(
      `${name}-gateway`,
      {
        name: INGRESS_GATEWAY_NAME,
        ...chart("gateway"),
        namespace: ISTIO_INGRESS_NAMESPACE,
        values: gatewayValues(istio),
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [this.istiod, ingressNamespace] },
    );
    // One gateway at a time may go during a node drain. With a single replica any PDB either blocks
    // every drain (minAvailable: 1) or protects nothing, so there is none.
    if (istio.ingress.minReplicas >= 2) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-gateway`,
        {
          metadata: { name: INGRESS_GATEWAY_NAME, namespace: ISTIO_INGRESS_NAMESPACE },
          spec: { maxUnavailable: 1, selector: { matchLabels: this.gatewaySelector } },
        },
        { parent: this, dependsOn: [this.gateway] },
      );
    }

    const afterIstiod = { parent: this, dependsOn: [this.istiod] };
    new k8s.apiextensions.CustomResource(
      `${name}-strict-mtls`,
      {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: ISTIO_SYSTEM_NAMESPACE },
        spec: { mtls: { mode: "STRICT" } },
      },
      afterIstiod,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-telemetry`,
      {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "mesh-default", namespace: ISTIO_SYSTEM_NAMESPACE },
        spec: {
          ...(args.tracingNamespace
            ? {
                tracing: [
                  {
                    providers: [{ name: TRACING_PROVIDER }],
                    randomSamplingPercentage: args.observability.tracingSamplePercent,
                  },
                ],
              }
            : {}),
          accessLogging: [{ providers: [{ name: "envoy" }] }],
        },
      },
      afterIstiod,
    );
    this.registerOutputs({
      rootNamespace: this.rootNamespace,
      ingressNamespace: this.ingressNamespace,
      gatewayPrincipal: this.gatewayPrincipal,
    });
  }
}
