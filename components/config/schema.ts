// The stack-config model: zod schemas with every default. Cross-field rules live in configRules.ts.
import { z } from "zod";
import { NVIDIA_AMI_TYPES } from "../../policy/shared/gpu";
import { cidr, dnsLabel, percent, quantity, roleArn } from "./primitives";
import { callGraphSchema, servicesSchema, type loadBalancerSchema } from "./serviceSchema";

// ---- cluster ----

export const SYSTEM_AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"] as const;
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
    amiType: z.enum(NVIDIA_AMI_TYPES).default("AL2023_x86_64_NVIDIA"),
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
