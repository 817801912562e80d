// The LLM part of the stack config: services of profile `llm` (a model, its versions, how they
// scale) and `ai-mesh:llm` (the gateway LLM traffic enters by, where the Gateway API CRDs and KEDA
// come from). An llm service is routed by the Gateway API Inference Extension, not by Istio's
// VirtualService, so the HTTP-service knobs (retries, mirroring, load balancing…) are not its keys.
import { z } from "zod";
import { LLM_IMAGES } from "./defaults";
import { dnsLabel, dnsSubdomain, duration, externalHost, image, quantity } from "./primitives";
import { ingressSchema } from "./istioSchema";
import { KNOWN_MODELS, resolveArchitecture } from "./models";
import { canarySchema, replicaRange } from "./serviceFields";
import { llmPriority } from "./llmPriority";

export const MODEL_SERVERS = ["vllm", "simulator"] as const;
export type ModelServer = (typeof MODEL_SERVERS)[number];

/** GPU memory per parameter at each dtype (fp8: weights quantized to 8 bits on load). */
export const BYTES_PER_PARAMETER = { float32: 4, bfloat16: 2, float16: 2, fp8: 1 } as const;
export const DTYPES = Object.keys(BYTES_PER_PARAMETER) as [keyof typeof BYTES_PER_PARAMETER];
export type Dtype = (typeof DTYPES)[number];

/**
 * The oldest GPU generation (CUDA compute capability) vLLM v0.24.0 runs each dtype on: bfloat16
 * from 8.0 (vllm/platforms/cuda.py check_if_supports_dtype raises below); fp8 from 7.5
 * (vllm/model_executor/layers/quantization/fp8.py get_min_capability: below 8.9 the weights stay
 * fp8 and the Marlin kernel computes in 16 bits, so only from 8.9 are the matmuls fp8 too).
 */
export const DTYPE_MIN_CAPABILITY: Readonly<Record<Dtype, number>> = {
  float32: 0,
  float16: 0,
  bfloat16: 8.0,
  fp8: 7.5,
};

const HUB_REPOSITORY = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const S3_PREFIX = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[\w!.*'()/-]*)?$/;

/** The bucket of an s3:// source, or undefined for a hub repository. */
export function s3Bucket(source: string): string | undefined {
  return S3_PREFIX.exec(source)?.[1];
}

const modelSource = z
  .string()
  .refine(
    (value) => HUB_REPOSITORY.test(value) || S3_PREFIX.test(value),
    'must be a Hugging Face repository such as "meta-llama/Llama-3.1-8B-Instruct" or an S3 prefix such as "s3://models/llama-3.1-8b/"',
  );
/** Hub revisions are commits: a branch or tag could move, and two pods would serve different weights. */
const revision = z
  .string()
  .regex(/^[0-9a-f]{40}$/, "must be the full 40-character commit hash of the model repository");

const count = z.number().int().min(1);
const architectureSchema = z.strictObject({
  parametersBillions: z.number().gt(0).max(2000),
  layers: count,
  attentionHeads: count,
  kvHeads: count,
  headDim: count,
  contextLength: count,
  vocabSize: count,
  hiddenSize: count,
  tiedEmbeddings: z.boolean(),
});
/** The keys of an inline architecture, as the errors list them. */
export const ARCHITECTURE_KEYS = Object.keys(architectureSchema.shape).join(", ");

export const modelSchema = z.strictObject(
  {
    /** What clients put in the request's "model" field: the route matches it, every version serves it. */
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/,
        "must be a model name of letters, digits and . _ : / - (up to 128), as clients send it",
      ),
    /** Where the weights come from: a hub repository, or an S3 prefix (EKS only, read with Pod Identity). */
    source: modelSource,
    revision: revision.optional(),
    /**
     * The model's architecture for the GPU memory, KV-cache and tensor-parallel checks: a model of the
     * table (models.ts), or the facts of its config.json. Defaults to the table's entry for the source
     * or name.
     */
    architecture: z
      .union([z.enum(KNOWN_MODELS as [string, ...string[]]), architectureSchema], {
        error: () =>
          `must be a model of the table (${KNOWN_MODELS.join(", ")}) or { ${ARCHITECTURE_KEYS} } from the model's config.json`,
      })
      .optional(),
    dtype: z.enum(DTYPES).default("bfloat16"),
    /** GPUs one replica spreads the model over (all on one node). */
    tensorParallelSize: z.number().int().min(1).max(8).default(1),
    maxModelLen: z.number().int().min(256).max(1_048_576).default(8192),
    /** The share of each GPU's memory vLLM may use for weights, activations and KV cache. */
    gpuMemoryUtilization: z.number().min(0.5).max(0.98).default(0.9),
    /**
     * KV cache per replica (spread over its GPUs, handed to vLLM as --kv-cache-memory-bytes): at least
     * one maxModelLen sequence; the capacity check reserves it next to the weights.
     */
    kvCacheGiB: z.number().gt(0).default(2),
    /** A Secret in the services namespace with a hub token (gated models such as Llama). */
    tokenSecret: z.strictObject({ name: dnsSubdomain, key: z.string().regex(/^[-._a-zA-Z0-9]+$/) }).optional(),
    /** vllm on GPUs; simulator (llm-d-inference-sim) answers like vLLM on a laptop's CPU. */
    server: z.enum(MODEL_SERVERS).default("vllm"),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? unknownModelKeys(issue.keys) : undefined) },
);

/** An unknown model key; an architecture fact set on the model itself (as before) names model.architecture. */
function unknownModelKeys(keys: string[]): string {
  const listed = `${keys.map((k) => `"${k}"`).join(", ")} ${keys.length === 1 ? "is not a key" : "are not keys"} of model`;
  const moved = keys.filter((k) => Object.hasOwn(architectureSchema.shape, k));
  if (moved.length > 0) {
    return (
      `${listed}: ${moved.join(", ")} now ${moved.length === 1 ? "goes" : "go"} under model.architecture, which takes a model of the table ` +
      `(${KNOWN_MODELS.join(", ")}) or { ${ARCHITECTURE_KEYS} } from the model's config.json; a model of the table needs none`
    );
  }
  return `${listed}; allowed: ${Object.keys(modelSchema.shape).join(", ")}`;
}

const llmVersion = z.strictObject({
  name: dnsLabel,
  /** Defaults to the pinned image of the model's server. */
  image: image.optional(),
  weight: z.number().int().min(0).max(100),
  replicas: replicaRange.optional(),
  /** A version may load other weights under the same model name (a new revision, a fine-tune). */
  model: z.strictObject({ source: modelSource.optional(), revision: revision.optional() }).optional(),
});

const resourceList = z.strictObject({ cpu: quantity, memory: quantity });

const LLM_KEYS =
  "profile, model, versions, port, timeout, replicas, autoscaling, canary, priority, resources, gpu, startupTimeout, env, egress";

/** An llm service as the stack states it; profile defaults are filled in before (profiles.ts). */
export const llmServiceSchema = z
  .strictObject(
    {
      profile: z.literal("llm"),
      model: modelSchema,
      versions: z.array(llmVersion).min(1),
      port: z.number().int().min(1).max(65535).default(8000),
      /** How long the gateway waits for a whole response (a long generation streams for minutes). */
      timeout: duration.default("300s"),
      replicas: z
        .strictObject({ min: z.number().int().min(1).default(1), max: z.number().int().min(1).default(2) })
        .prefault({}),
      /** KEDA scales each version on vLLM's queue: this many waiting requests per replica is the target. */
      autoscaling: z.strictObject({ waitingRequestsPerReplica: z.number().int().min(1).default(4) }).prefault({}),
      canary: canarySchema,
      /** The model's InferenceObjective priority (llmPriority.ts). */
      priority: llmPriority,
      resources: z.strictObject({ requests: resourceList, limits: resourceList }),
      gpu: z.number().int().min(0).max(8),
      startupTimeout: duration,
      env: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string())
        .default({}),
      /** Hosts the weights download from, made known to the mesh (REGISTRY_ONLY lets nothing else out). */
      egress: z.array(externalHost).default([]),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `${issue.keys.map((k) => `"${k}"`).join(", ")} ${issue.keys.length === 1 ? "is not a key" : "are not keys"} of an llm service (the endpoint picker balances its requests, the Gateway API routes them); allowed: ${LLM_KEYS}`
          : undefined,
    },
  )
  .transform((service) => ({
    ...service,
    // Resolved once: undefined when neither the table nor the config knows it (llmRules.ts says so).
    model: { ...service.model, architecture: resolveArchitecture(service.model) },
    versions: service.versions.map((v) => ({ ...v, image: v.image ?? LLM_IMAGES[service.model.server] })),
    // vLLM and the simulator answer /health once the model is loaded, and serve /metrics.
    healthPath: "/health",
    readinessPath: "/health",
    metricsPath: "/metrics",
  }));

export type LlmServiceSettings = z.output<typeof llmServiceSchema>;
export type ModelConfig = LlmServiceSettings["model"];

/**
 * `ai-mesh:llm`: where LLM traffic enters (a Gateway API Gateway served by its own Istio gateway
 * deployment, shaped like `istio.ingress`), and whether the stack installs the Gateway API and
 * Inference Extension CRDs and KEDA or finds them in the cluster. Used only when an llm service exists.
 */
export const llmSchema = z
  .strictObject({
    namespace: dnsLabel.default("llm-gateway"),
    gateway: ingressSchema,
    crds: z.enum(["install", "present"]).default("install"),
    keda: z.enum(["install", "present"]).default("install"),
    /** Endpoint picker replicas per pool; above 1 they elect a leader (one picks, the others stand by). */
    pickerReplicas: z.number().int().min(1).max(3).default(1),
    /**
     * Requests a client may make, counted by its token's subject (`sub`) on each gateway replica;
     * needs `gateway.jwt`. `clients`: how many subjects a replica tracks at once (least recent go first).
     */
    clientRateLimit: z
      .strictObject({
        requestsPerMinute: z.number().int().min(1),
        burst: z.number().int().min(1).optional(),
        clients: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .optional(),
  })
  .prefault({});

export type LlmConfig = z.output<typeof llmSchema>;
