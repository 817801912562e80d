// The stack-config model: zod schemas with every default. Cross-field rules live in configRules.ts.
import { z } from "zod";
import { isDuration } from "./durations";
import { unpinnedImageReason } from "./images";
import { INGRESS_CALLER, SERVICE_KEYS } from "./names";

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS-1123 label (lowercase letters, digits and '-')");
const duration = z.string().refine(isDuration, "must be a duration such as 500ms, 10s, 5m or 1h");
const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, "must be a Kubernetes quantity such as 500m or 2Gi");
const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: "must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24" });
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN");
const percent = z.number().min(0).max(100);
const image = z.string().superRefine((value, ctx) => {
  const reason = unpinnedImageReason(value);
  if (reason) ctx.addIssue({ code: "custom", message: `image ${reason}` });
});

// ---- cluster ----

export const GPU_AMI_TYPES = ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"] as const;
export const SYSTEM_AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"] as const;
/** NVIDIA GPU instance families on EKS (g4ad is AMD, so it is not here). */
export const GPU_INSTANCE_FAMILIES = [
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "gr6",
  "p3",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
];
const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large");

const nodeGroupFields = {
  instanceTypes: z.array(instanceType).min(1),
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  minSize: z.number().int().min(0),
  desiredSize: z.number().int().min(0),
  maxSize: z.number().int().min(1),
};

const systemNodes = z
  .strictObject({
    ...nodeGroupFields,
    amiType: z.enum(SYSTEM_AMI_TYPES).default("AL2023_x86_64_STANDARD"),
    diskSizeGiB: z.number().int().min(20).default(50),
    instanceTypes: nodeGroupFields.instanceTypes.default(["m6i.large"]),
    minSize: nodeGroupFields.minSize.min(1).default(2),
    desiredSize: nodeGroupFields.desiredSize.default(2),
    maxSize: nodeGroupFields.maxSize.default(4),
  })
  .prefault({});

const gpuNodes = z
  .strictObject({
    ...nodeGroupFields,
    amiType: z.enum(GPU_AMI_TYPES).default("AL2023_x86_64_NVIDIA"),
    // Model images are large; 100 GiB keeps image pulls from filling the root volume.
    diskSizeGiB: z.number().int().min(50).default(100),
    instanceTypes: nodeGroupFields.instanceTypes.default(["g5.xlarge"]),
    minSize: nodeGroupFields.minSize.default(0),
    desiredSize: nodeGroupFields.desiredSize.default(1),
    maxSize: nodeGroupFields.maxSize.default(4),
  })
  .prefault({});

const network = z
  .strictObject({
    vpcCidr: z
      .cidrv4()
      .refine(
        (cidr) => Number(cidr.split("/")[1]) <= 20,
        "must be a /20 or larger so 3 private and 3 public subnets fit",
      )
      .default("10.0.0.0/16"),
    natGateways: z.enum(["single", "perAz"]).default("single"),
    existing: z
      .strictObject({
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id such as vpc-0abc123"),
        privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id")).min(2),
        publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id")).default([]),
      })
      .optional(),
  })
  .prefault({});

export const eksClusterSchema = z.strictObject({
  mode: z.literal("eks"),
  name: dnsLabel.optional(),
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, 'must be a Kubernetes minor version such as "1.34"')
    .default("1.34"),
  endpointPublicAccess: z.boolean().default(true),
  endpointPublicAccessCidrs: z.array(cidr).default([]),
  /** The explicit opt-in that 0.0.0.0/0 or ::/0 on the public endpoint needs. */
  allowPublicEndpointFromAnywhere: z.boolean().default(false),
  adminRoleArns: z.array(roleArn).default([]),
  logRetentionDays: z.number().int().min(1).default(90),
  kubeconfig: z.strictObject({ roleArn: roleArn.optional(), profile: z.string().min(1).optional() }).prefault({}),
  network,
  systemNodes,
  gpuNodes,
});

export const existingClusterSchema = z.strictObject({
  mode: z.literal("existing"),
  /** Path to a kubeconfig file; when absent the provider uses $KUBECONFIG or ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  /** Whether the cluster has NVIDIA GPUs with the device plugin; false runs object-detector on CPU. */
  gpu: z.boolean().default(false),
  /** StorageClass for Prometheus; the cluster default when absent. */
  storageClass: z.string().min(1).optional(),
});

export const clusterSchema = z.discriminatedUnion("mode", [eksClusterSchema, existingClusterSchema], {
  error: 'must be "eks" or "existing"',
});

// ---- istio ----

const jwt = z.strictObject({
  issuer: z.url(),
  jwksUri: z.url(),
  audiences: z.array(z.string().min(1)).default([]),
});

export const istioSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^1\.\d+\.\d+$/, 'must be an Istio release such as "1.30.3"')
      .default("1.30.3"),
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
    tracingSamplePercent: percent.default(1),
    alerts: z
      .strictObject({
        errorRatio: z.number().gt(0).max(1).default(0.05),
        latencyP99Ms: z.number().int().min(1).default(2000),
        gpuUtilizationPercent: percent.default(90),
      })
      .prefault({}),
  })
  .prefault({});

// ---- services ----

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

// ---- call graph ----

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

export const environmentSchema = z.enum(["dev", "staging", "production"]);

export const rootSchema = z.object({
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
});

export type RootConfig = z.output<typeof rootSchema>;
export type EksClusterConfig = z.output<typeof eksClusterSchema>;
export type ExistingClusterConfig = z.output<typeof existingClusterSchema>;
export type IstioConfig = z.output<typeof istioSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type ServicesConfig = z.output<typeof servicesSchema>;
export type ServiceConfig = ServicesConfig["web"];
export type VersionConfig = ServiceConfig["versions"][number];
export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
export type CallGraphEdge = z.output<typeof callGraphSchema>[number];
export type Environment = z.output<typeof environmentSchema>;
export type NodeGroupConfig = EksClusterConfig["systemNodes"] | EksClusterConfig["gpuNodes"];
