// The services and call-graph part of the stack config: versions, traffic settings, callers.
import { z } from "zod";
import { kubernetesName } from "../core/names";
import { DEFAULT_SERVICES } from "./defaults";
import { llmServiceSchema } from "./llmSchema";
import { dnsLabel, duration, externalHost, image, percent, quantity } from "./primitives";
import { HTTP_PROFILE_NAMES, withProfileDefaults } from "./profiles";
import { canarySchema, replicaRange } from "./serviceFields";

const version = z.strictObject({
  name: dnsLabel,
  image,
  weight: z.number().int().min(0).max(100),
  /** Overrides the service's replicas: a 10 % canary or a mirror target needs fewer (min ≤ stable's). */
  replicas: replicaRange.optional(),
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
  retryOn: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, "must be a comma-separated list of Envoy retry conditions"),
});

const faultInjection = z
  .strictObject({
    delay: z.strictObject({ fixedDelay: duration, percent }).optional(),
    abort: z.strictObject({ httpStatus: z.number().int().min(200).max(599), percent }).optional(),
  })
  .refine((fault) => fault.delay || fault.abort, "must set delay, abort or both");

const resourceList = z.strictObject({ cpu: quantity, memory: quantity });

/** A request/response service routed by Istio; fields it leaves out come from its profile, then from here. */
const httpServiceSchema = z.strictObject({
  profile: z.enum(HTTP_PROFILE_NAMES),
  versions: z.array(version).min(1),
  port: z.number().int().min(1).max(65535).default(8080),
  mirror: z.strictObject({ version: dnsLabel, percent: percent.gt(0) }).optional(),
  timeout: duration.default("15s"),
  retries: retries.optional(),
  loadBalancer: loadBalancerSchema.default("LEAST_REQUEST"),
  outlierDetection: z
    .strictObject({
      consecutive5xxErrors: z.number().int().min(1).default(5),
      interval: duration.default("30s"),
      baseEjectionTime: duration.default("60s"),
      maxEjectionPercent: percent.default(50),
    })
    .prefault({}),
  /**
   * Envoy's limits towards the service. Fields left out come from `load` when it is set (Little's
   * law), else from the defaults in http/traffic.ts: what is set here always wins.
   */
  connectionPool: z
    .strictObject({
      maxConnections: z.number().int().min(1).optional(),
      http1MaxPendingRequests: z.number().int().min(1).optional(),
      http2MaxRequests: z.number().int().min(1).optional(),
      maxRequestsPerConnection: z.number().int().min(0).optional(),
    })
    .prefault({}),
  faultInjection: faultInjection.optional(),
  rateLimit: z.strictObject({ requestsPerSecond: z.number().int().min(1), burst: z.number().int().min(1) }).optional(),
  replicas: z
    .strictObject({ min: z.number().int().min(1).default(2), max: z.number().int().min(1).default(6) })
    .prefault({}),
  targetCpuUtilization: percent.default(70),
  /** Peak load, for replicas by Little's law (components/capacity/load.ts). */
  load: z
    .strictObject({
      peakRps: z.number().gt(0),
      latencyMs: z.number().int().min(1),
      concurrency: z.number().int().min(1),
      targetUtilization: percent.gt(0).default(70),
    })
    .optional(),
  /** How `npm run canary` promotes a new version of this service (flags override). */
  canary: canarySchema,
  resources: z.strictObject({ requests: resourceList, limits: resourceList }),
  gpu: z.number().int().min(0).max(8),
  healthPath: z.string().startsWith("/").default("/healthz"),
  readinessPath: z.string().startsWith("/").default("/ready"),
  /** Prometheus metrics of the app, merged into the sidecar's :15020 endpoint. */
  metricsPath: z.string().startsWith("/").default("/metrics"),
  startupTimeout: duration,
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string())
    .default({}),
  /**
   * Hosts outside the mesh this service reaches over HTTPS (where its model downloads from), made
   * known to the mesh by a ServiceEntry: with outboundTrafficPolicy REGISTRY_ONLY, nothing else is.
   */
  egress: z.array(externalHost).default([]),
});

/** One service: an HTTP service, or an llm service (llmSchema.ts), told apart by its profile. */
const serviceSchema = z.preprocess(
  withProfileDefaults,
  z.discriminatedUnion("profile", [httpServiceSchema, llmServiceSchema], {
    error: (issue) =>
      `must be one of ${[...HTTP_PROFILE_NAMES, "llm"].join(", ")} (got ${JSON.stringify((issue.input as { profile?: unknown })?.profile)})`,
  }),
);

export type HttpServiceSettings = z.output<typeof httpServiceSchema>;
export type ServiceSettings = z.output<typeof serviceSchema>;

/** Its config key ("objectDetector") and Kubernetes name ("object-detector"). */
interface ServiceKeys {
  key: string;
  app: string;
}
export type HttpServiceConfig = HttpServiceSettings & ServiceKeys;
export type LlmServiceConfig = z.output<typeof llmServiceSchema> & ServiceKeys;
/** A configured service: HTTP, or a model served through the inference gateway. */
export type ServiceConfig = HttpServiceConfig | LlmServiceConfig;

export function isLlm(service: ServiceConfig): service is LlmServiceConfig {
  return service.profile === "llm";
}

/**
 * `ai-mesh:services`: the app namespace and any number of services keyed by name. A stack that
 * names no service gets the design's three (defaults.ts). Keys are checked in rules.ts.
 */
export const servicesSchema = z
  .preprocess(
    (raw) => {
      if (raw === undefined) return { ...DEFAULT_SERVICES };
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
      const named = Object.keys(raw).some((key) => key !== "namespace");
      return named ? raw : { ...raw, ...DEFAULT_SERVICES };
    },
    z.object({ namespace: dnsLabel.default("ai") }).catchall(serviceSchema),
  )
  .transform(({ namespace, ...services }) => ({
    namespace,
    list: Object.entries(services as Record<string, ServiceSettings>).map(([key, settings]): ServiceConfig => ({
      ...settings,
      key,
      app: kubernetesName(key),
    })),
  }));

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Who may call whom; names are checked against the declared services in rules.ts. */
export const callGraphSchema = z
  .array(
    z.strictObject({
      from: z.string().min(1),
      to: z.string().min(1),
      methods: z.array(z.enum(HTTP_METHODS)).min(1),
      paths: z.array(z.string().regex(/^\/[^\s]*$/, "must be an absolute path such as /detect or /api/*")).min(1),
    }),
  )
  .optional();
