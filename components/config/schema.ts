// The stack-config model: zod schemas with every default. Cross-field rules live in rules.ts.
import { z } from "zod";
import { chartsSchema } from "./chartsSchema";
import { clusterSchema, withGeneralNodes } from "./clusterSchema";
import { INGRESS_CALLER } from "../core/names";
import { DESIGN_CALL_GRAPH } from "./defaults";
import { istioSchema } from "./istioSchema";
import { llmSchema } from "./llmSchema";
import { dnsLabel, dnsSubdomain, percent, quantity } from "./primitives";
import type { canarySchema } from "./serviceFields";
import { callGraphSchema, servicesSchema, type loadBalancerSchema } from "./serviceSchema";

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
        /** An llm service's P99 time to first token above this, for 10 minutes, alerts. */
        ttftP99Ms: z.number().int().min(1).default(2000),
        /** More requests than this waiting on a model's servers, and growing, for 10 minutes, alerts. */
        llmWaitingRequests: z.number().int().min(1).default(10),
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
    llm: llmSchema,
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
export type { HttpServiceConfig, LlmServiceConfig, ServiceConfig } from "./serviceSchema";
export { isLlm } from "./serviceSchema";
export type { LlmConfig, ModelConfig } from "./llmSchema";
export type VersionConfig = ServicesConfig["list"][number]["versions"][number];
export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
export type CallGraphEdge = RootConfig["callGraph"][number];
export type Environment = z.output<typeof environmentSchema>;
export type ChartsConfig = z.output<typeof chartsSchema>;
export type CanaryConfig = z.output<typeof canarySchema>;
export type * from "./clusterSchema";
export { usesKarpenter } from "./clusterSchema";
