// The Istio part of the stack config: the pinned release, the control plane, and the shape of a
// gateway deployment (the ingress gateway; the LLM gateway takes the same keys under ai-mesh:llm).
import { z } from "zod";
import { dnsLabel, quantity } from "./primitives";

const jwt = z.strictObject({
  issuer: z.url(),
  jwksUri: z.url(),
  audiences: z.array(z.string().min(1)).default([]),
});

/** The Istio release every chart (base, istiod, gateway) comes from unless the stack names another. */
export const DEFAULT_ISTIO_VERSION = "1.30.3";

/** One Istio gateway deployment: its replicas, the hosts it answers, how its load balancer is exposed. */
export const ingressSchema = z
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
  .prefault({});

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
    ingress: ingressSchema,
  })
  .prefault({});
