// The services and call-graph part of the stack config: versions, traffic settings, callers.
import { z } from "zod";
import { dnsLabel, duration, image, percent, quantity } from "./primitives";
import { INGRESS_CALLER, SERVICE_KEYS } from "../names";

const version = z.strictObject({
  name: dnsLabel,
  image,
  weight: z.number().int().min(0).max(100),
});

const consistentHash = z.union([
  z.strictObject({ httpHeaderName: z.string().min(1) }),
  z.strictObject({ httpCookie: z.strictObject({ name: z.string().min(1), ttl: duration }) }),
  z.strictObject({ useSourceIp: z.literal(true) }),
]);

export const loadBalancerSchema = z.union(
  [z.enum(["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"]), z.strictObject({ consistentHash })],
  {
    error:
      "must be ROUND_ROBIN, LEAST_REQUEST, RANDOM or { consistentHash: { httpHeaderName | httpCookie | useSourceIp } }",
  },
);

const retries = z.strictObject({
  attempts: z.number().int().min(0).max(10),
  perTryTimeout: duration,
  retryOn: z
    .string()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, "must be a comma-separated list of Envoy retry conditions")
    .default("connect-failure,refused-stream,unavailable,cancelled"),
});

const faultInjection = z
  .strictObject({
    delay: z.strictObject({ fixedDelay: duration, percent }).optional(),
    abort: z.strictObject({ httpStatus: z.number().int().min(200).max(599), percent }).optional(),
  })
  .refine((fault) => fault.delay || fault.abort, "must set delay, abort or both");

const resourceList = z.strictObject({ cpu: quantity, memory: quantity });

interface ServiceDefaults {
  gpu: number;
  startupTimeout: string;
  retryOn: string;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

function serviceSchema(defaults: ServiceDefaults) {
  return z.strictObject({
    versions: z.array(version).min(1),
    port: z.number().int().min(1).max(65535).default(8080),
    mirror: z.strictObject({ version: dnsLabel, percent: percent.gt(0) }).optional(),
    timeout: duration.default("15s"),
    retries: retries.extend({ retryOn: retries.shape.retryOn.removeDefault().default(defaults.retryOn) }).optional(),
    loadBalancer: loadBalancerSchema.default("LEAST_REQUEST"),
    outlierDetection: z
      .strictObject({
        consecutive5xxErrors: z.number().int().min(1).default(5),
        interval: duration.default("30s"),
        baseEjectionTime: duration.default("60s"),
        maxEjectionPercent: percent.default(50),
      })
      .prefault({}),
    connectionPool: z
      .strictObject({
        maxConnections: z.number().int().min(1).default(100),
        http1MaxPendingRequests: z.number().int().min(1).default(100),
        http2MaxRequests: z.number().int().min(1).default(1000),
        maxRequestsPerConnection: z.number().int().min(0).default(0),
      })
      .prefault({}),
    faultInjection: faultInjection.optional(),
    rateLimit: z
      .strictObject({ requestsPerSecond: z.number().int().min(1), burst: z.number().int().min(1) })
      .optional(),
    replicas: z
      .strictObject({ min: z.number().int().min(1).default(2), max: z.number().int().min(1).default(6) })
      .prefault({}),
    targetCpuUtilization: percent.default(70),
    resources: z
      .strictObject({
        requests: resourceList.default(defaults.requests),
        limits: resourceList.default(defaults.limits),
      })
      .prefault({}),
    gpu: z.number().int().min(0).max(8).default(defaults.gpu),
    healthPath: z.string().startsWith("/").default("/healthz"),
    readinessPath: z.string().startsWith("/").default("/ready"),
    /** How long the startup probe allows (model loading can take minutes). */
    startupTimeout: duration.default(defaults.startupTimeout),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string())
      .default({}),
  });
}

const CONNECTION_RETRIES = "connect-failure,refused-stream,unavailable,cancelled";

export const servicesSchema = z.strictObject({
  namespace: dnsLabel.default("ai"),
  web: serviceSchema({
    gpu: 0,
    startupTimeout: "60s",
    retryOn: CONNECTION_RETRIES,
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "1", memory: "512Mi" },
  }),
  imageProcessor: serviceSchema({
    gpu: 0,
    startupTimeout: "120s",
    retryOn: CONNECTION_RETRIES,
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "2", memory: "2Gi" },
  }),
  objectDetector: serviceSchema({
    gpu: 1,
    startupTimeout: "10m",
    // Envoy cannot replay bodies over 1 MiB (image uploads), so only retry what never reached the pod.
    retryOn: "connect-failure,refused-stream",
    requests: { cpu: "2", memory: "8Gi" },
    limits: { cpu: "4", memory: "16Gi" },
  }),
});

const caller = z.enum([INGRESS_CALLER, ...SERVICE_KEYS]);
const callee = z.enum(SERVICE_KEYS);
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const callGraphSchema = z
  .array(
    z.strictObject({
      from: caller,
      to: callee,
      methods: z.array(z.enum(HTTP_METHODS)).min(1),
      paths: z.array(z.string().regex(/^\/[^\s]*$/, "must be an absolute path such as /detect or /api/*")).min(1),
    }),
  )
  .default([
    { from: INGRESS_CALLER, to: "web", methods: ["GET", "POST"], paths: ["/*"] },
    { from: "web", to: "imageProcessor", methods: ["POST"], paths: ["/process"] },
    { from: "web", to: "objectDetector", methods: ["POST"], paths: ["/detect"] },
  ]);
