// The stack-config model: zod schemas with every default. Cross-field rules live in rules.ts.
import { z } from "zod";
import { chartsSchema } from "./chartsSchema";
import { clusterSchema, withGeneralNodes } from "./clusterSchema";
import { INGRESS_CALLER } from "../core/names";
import { DESIGN_CALL_GRAPH } from "./defaults";
import { dnsLabel, dnsSubdomain, percent, quantity } from "./primitives";
import { callGraphSchema, servicesSchema, type canarySchema, type loadBalancerSchema } from "./serviceSchema";

// ---- istio ----

const jwt = z.strictObject({
  issuer: z.url(),
  jwksUri: z.url(),
  audiences: z.array(z.string().min(1)).default([]),
});

/** The Istio release every chart (base, istiod, gateway) comes from unless the stack names another. */
export const DEFAULT_ISTIO_VERSION = "1.30.3";

export const istioSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^1\.\d+\.\d+$/, `must be an Istio release such as "${DEFAULT_ISTIO_VERSION}"`)
      .default(DEFAULT_ISTIO_VERSION),
    /** Optional control-plane revision for canary upgrades of Istio itself (e.g. "1-30-3"). */
    revision: dnsLabel.optional(),
    outboundTrafficPolicy: z.enum(["ALLOW_ANY", "REGISTRY_ONLY"]).default("REGISTRY_ONLY"),
    istiod: z
      .strictObject({
        minReplicas: z.number().int().min(1).default(2),
        maxReplicas: z.number().int().min(1).default(5),
        cpu: quantity.default("500m"),
        memory: quantity.default("2Gi"),
      })
      .prefault({}),
    ingress: z
      .strictObject({
        minReplicas: z.number().int().min(1).default(2),
        maxReplicas: z.number().int().min(1).default(6),
        hosts: z
          .array(z.string().regex(/^(\*|(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/, "must be a DNS host name"))
          .min(1)
          .default(["*"]),
        certificateArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, "must be an ACM certificate ARN")
          .optional(),
        scheme: z.enum(["internet-facing", "internal"]).default("internet-facing"),
        /** LoadBalancer on EKS (an NLB); NodePort or ClusterIP on laptop clusters without one. */
        serviceType: z.enum(["LoadBalancer", "NodePort", "ClusterIP"]).default("LoadBalancer"),
        annotations: z.record(z.string(), z.string()).default({}),
        jwt: jwt.optional(),
      })
      .prefault({}),
  })
  .prefault({});

// ---- observability ----

export const observabilitySchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    retention: z
      .string()
      .regex(/^\d+(h|d|w|y)$/, "must be a Prometheus retention such as 15d")
      .default("15d"),
    storageSize: quantity.default("50Gi"),
    /** Prometheus's requests: it holds the series of every pod, so it grows with the platform. */
    prometheusResources: z.strictObject({ cpu: quantity, memory: quantity }).default({ cpu: "500m", memory: "2Gi" }),
    tracingSamplePercent: percent.default(1),
    /** Traces Jaeger keeps in memory; the oldest go first. */
    tracingMaxTraces: z.number().int().min(1000).default(100_000),
    /** Scrape controller-manager, scheduler, etcd and kube-proxy (self-managed control planes only). */
    controlPlaneMetrics: z.boolean().default(false),
    /** Where the stack runs Prometheus, Grafana, Alertmanager, Jaeger and Kiali. */
    namespace: dnsLabel.default("monitoring"),
    /** false: the namespace exists already (created by a platform team, holding an ExternalSecret). */
    createNamespace: z.boolean().default(true),
    grafana: z
      .strictObject({
        /**
         * A Secret in the observability namespace with keys admin-user and admin-password, kept
         * by a secret manager (External Secrets, Secrets Store CSI). Unset: a generated password.
         */
        existingAdminSecret: dnsSubdomain.optional(),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        errorRatio: z.number().gt(0).max(1).default(0.05),
        latencyP99Ms: z.number().int().min(1).default(2000),
        gpuUtilizationPercent: percent.default(90),
      })
      .prefault({}),
  })
  .prefault({});

export const environmentSchema = z.enum(["dev", "staging", "production"]);

export const rootSchema = z
  .object({
    environment: environmentSchema.default("dev"),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-west-2")
      .optional(),
    cluster: clusterSchema,
    istio: istioSchema,
    observability: observabilitySchema,
    services: servicesSchema,
    callGraph: callGraphSchema,
    charts: chartsSchema,
  })
  .transform((config) => ({
    ...config,
    cluster: config.cluster.mode === "eks" ? withGeneralNodes(config.cluster) : config.cluster,
    // Without a call graph, the design's edges between the services that exist.
    callGraph:
      config.callGraph ??
      DESIGN_CALL_GRAPH.filter((edge) =>
        [edge.from, edge.to].every((end) => end === INGRESS_CALLER || config.services.list.some((s) => s.key === end)),
      ).map((edge) => ({ ...edge, methods: [...edge.methods], paths: [...edge.paths] })),
  }));

export type RootConfig = z.output<typeof rootSchema>;
export type IstioConfig = z.output<typeof istioSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type ServicesConfig = z.output<typeof servicesSchema>;
export type { ServiceConfig } from "./serviceSchema";
export type VersionConfig = ServicesConfig["list"][number]["versions"][number];
export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
export type CallGraphEdge = RootConfig["callGraph"][number];
export type Environment = z.output<typeof environmentSchema>;
export type ChartsConfig = z.output<typeof chartsSchema>;
export type CanaryConfig = z.output<typeof canarySchema>;
export type * from "./clusterSchema";
export { usesKarpenter } from "./clusterSchema";
