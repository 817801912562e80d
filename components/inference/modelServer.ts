// The pod of one version of an llm service: vLLM (or the simulator) serving the model under its
// name, weights downloaded into a cache volume (from the hub by vLLM itself, from S3 by an
// `aws s3 sync` init container), on GPUs that can hold it. On EKS the cache is the GPU node's own
// directory: a restarted or second pod on the node finds the weights there. Pure: config in, object out.
import type * as k8s from "@pulumi/kubernetes";
import type { LlmServiceConfig } from "../config";
import { S3_SYNC_IMAGE } from "../config/defaults";
import { kvBudgetBytesPerGpu } from "../config/kvCache";
import { versionModel } from "../config/modelVersions";
import { s3Bucket, type ModelServer } from "../config/llmSchema";
import { serviceLabels, versionSelector } from "../core/names";
import { GPU_RESOURCE } from "../cluster/gpu";
import { MODEL_CACHE_HOST_PATH } from "../cluster/modelCache";
import { MODEL_SERVER_LABEL } from "../observability/scrape";
import {
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  gpuPlacement,
  httpProbes,
  scrapeAnnotations,
  usesGpu,
  zoneSpread,
} from "../workload/podSpec";
import { MODEL_DIR, TMP_DIR, serverEnv, serverMounts } from "./serverPaths";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type LlmVersion = LlmServiceConfig["versions"][number];

/** An S3 source's copy: one directory per prefix, so versions sharing a node's cache never mix. */
export function s3WeightsDir(source: string): string {
  return `${MODEL_DIR}/s3/${source.replace(/^s3:\/\//, "").replace(/\/+$/, "")}`;
}
/** The EKS Pod Identity agent: credentials for the S3 sync come from it, beside the mesh. */
export const POD_IDENTITY_AGENT = "169.254.170.23/32";
/**
 * vLLM stops accepting requests on SIGTERM; the pause gives the picker and the gateway time to take
 * the pod out of rotation first. The grace period covers it and the longest generation after it.
 */
const DRAIN_SECONDS = 30;
const GRACE_SECONDS = 130;
/** torch.compile's artifacts, Triton's and FlashInfer's kernels for one model: well under this. */
const COMPILE_CACHE_GIB = 4;
/** What the simulator pretends a token costs: enough to see queues form under load on a laptop. */
const SIMULATED_LATENCY = { timeToFirstToken: "200ms", interTokenLatency: "20ms" };

export interface ModelServerArgs {
  app: string;
  service: LlmServiceConfig;
  version: LlmVersion;
  /** Whether GPUs are schedulable in the cluster. */
  gpu: boolean;
  /** GPU instance types a replica fits (capacity/gpuMemory.ts); no affinity when absent. */
  instanceTypes?: string[];
  /** The cache volume's size limit, GiB (the checkpoint plus room), when it is the pod's own. */
  cacheGiB: number;
  /** Whether the GPU nodes keep the weights in their model cache (cluster/modelCache.ts). */
  nodeCache: boolean;
}

function dtypeArgs(dtype: LlmServiceConfig["model"]["dtype"]): string[] {
  // fp8 quantizes the 16-bit checkpoint's weights on load; the activations keep the model's dtype.
  return dtype === "fp8" ? ["--quantization", "fp8"] : ["--dtype", dtype];
}

/** vLLM's command line: the model under its served name, pinned, sized as the capacity check assumed. */
export function vllmArgs(service: LlmServiceConfig, version: LlmVersion): string[] {
  const { model, port } = service;
  const { source, revision } = versionModel(service, version);
  const fromS3 = s3Bucket(source) !== undefined;
  return [
    "serve",
    fromS3 ? s3WeightsDir(source) : source,
    "--served-model-name",
    model.name,
    "--port",
    String(port),
    "--tensor-parallel-size",
    String(model.tensorParallelSize),
    "--max-model-len",
    String(model.maxModelLen),
    "--gpu-memory-utilization",
    String(model.gpuMemoryUtilization),
    // The budget the capacity check reserved, per GPU as vLLM v0.24.0 takes it (vllm/config/cache.py
    // kv_cache_memory_bytes); without it vLLM gives the KV cache whatever the utilization leaves.
    "--kv-cache-memory-bytes",
    String(kvBudgetBytesPerGpu(model)),
    ...dtypeArgs(model.dtype),
    ...(revision ? ["--revision", revision, "--tokenizer-revision", revision] : []),
  ];
}

/**
 * The simulator's command line: the same name, port and context length, with token latencies. With
 * a real hub name, llm-d-inference-sim v0.10.2 asks huggingface.co whether the model exists and then
 * sends every tokenization to a vLLM render service on localhost:8082 (docs/tokenization.md);
 * --force-dummy-tokenizer skips both (pkg/tokenizer/tokenizer.go) and splits text in-process.
 */
export function simulatorArgs(service: LlmServiceConfig): string[] {
  const { model, port } = service;
  return [
    "--model",
    model.name,
    "--force-dummy-tokenizer",
    "--served-model-name",
    model.name,
    "--port",
    String(port),
    "--max-model-len",
    String(model.maxModelLen),
    "--time-to-first-token",
    SIMULATED_LATENCY.timeToFirstToken,
    "--inter-token-latency",
    SIMULATED_LATENCY.interTokenLatency,
  ];
}

/** The simulator is one Go binary: HOME for anything that asks, no caches to speak of. */
const SIMULATOR_ENV = [
  { name: "HOME", value: TMP_DIR },
  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
  { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
];

function containerEnv(server: ModelServer, service: LlmServiceConfig): k8s.types.input.core.v1.EnvVar[] {
  if (server === "simulator") return SIMULATOR_ENV;
  const token = service.model.tokenSecret;
  return [
    ...serverEnv(),
    ...(token ? [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: token.name, key: token.key } } }] : []),
  ];
}

/** `aws s3 sync` of the weights into the cache volume, before vLLM starts. */
function s3SyncContainer(source: string): k8s.types.input.core.v1.Container {
  return {
    name: "fetch-model",
    image: S3_SYNC_IMAGE,
    // sync copies only what the cache lacks: on a node that has the weights, a listing and no download.
    command: ["aws", "s3", "sync", source, s3WeightsDir(source), "--only-show-errors", "--no-progress"],
    env: [{ name: "HOME", value: TMP_DIR }],
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    securityContext: RESTRICTED_CONTAINER,
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      { name: "model-cache", mountPath: MODEL_DIR },
    ],
  };
}

/** Only instance types whose GPUs hold the model (Karpenter launches one of them). */
function gpuAffinity(instanceTypes: string[] | undefined) {
  if (!instanceTypes || instanceTypes.length === 0) return {};
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: instanceTypes }] },
          ],
        },
      },
    },
  };
}

export function modelServerSpec(args: ModelServerArgs): DeploymentSpec {
  const { app, service, version } = args;
  const server = service.model.server;
  const gpu = usesGpu(args);
  const { source } = versionModel(service, version);
  const fromS3 = server === "vllm" && s3Bucket(source) !== undefined;
  const cache = server === "vllm" ? `${args.cacheGiB}Gi` : "1Gi";
  const nodeCache = server === "vllm" && gpu && args.nodeCache;
  // What the pod writes to the node's disk as ephemeral storage: the compile caches, and the
  // weights unless the node's cache (a hostPath, not ephemeral storage) holds them.
  const ephemeralGiB = COMPILE_CACHE_GIB + (nodeCache ? 0 : args.cacheGiB);
  return {
    // No replicas: KEDA's HorizontalPodAutoscaler owns the count.
    selector: { matchLabels: versionSelector(app, version.name) },
    // A replica holds GPUs: surge one at a time, never take one away before its successor is ready.
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: {
        labels: { ...serviceLabels(app, version.name), ...MODEL_SERVER_LABEL, "sidecar.istio.io/inject": "true" },
        annotations: {
          ...scrapeAnnotations(service.port, service.metricsPath),
          ...(fromS3 ? { "traffic.sidecar.istio.io/excludeOutboundIPRanges": POD_IDENTITY_AGENT } : {}),
        },
      },
      spec: {
        serviceAccountName: app,
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: GRACE_SECONDS,
        securityContext: RESTRICTED_POD,
        ...(fromS3 ? { initContainers: [s3SyncContainer(source)] } : {}),
        containers: [
          {
            name: app,
            image: version.image,
            ...(server === "vllm"
              ? { command: ["vllm"], args: vllmArgs(service, version) }
              : { args: simulatorArgs(service) }),
            ports: [{ name: "http", containerPort: service.port, protocol: "TCP" }],
            env: [
              ...containerEnv(server, service),
              ...Object.entries(service.env).map(([name, value]) => ({ name, value })),
            ],
            resources: {
              requests: {
                ...service.resources.requests,
                ...(server === "vllm" ? { "ephemeral-storage": `${ephemeralGiB}Gi` } : {}),
              },
              limits: { ...service.resources.limits, ...(gpu ? { [GPU_RESOURCE]: String(service.gpu) } : {}) },
            },
            securityContext: RESTRICTED_CONTAINER,
            // A restart reloads the whole model: take six missed checks as the evidence for one.
            ...httpProbes(service, 6),
            lifecycle: { preStop: { sleep: { seconds: DRAIN_SECONDS } } },
            volumeMounts:
              server === "vllm"
                ? serverMounts(gpu)
                : [
                    { name: "tmp", mountPath: TMP_DIR },
                    { name: "model-cache", mountPath: MODEL_DIR },
                  ],
          },
        ],
        volumes: [
          { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
          // torch.compile, Triton and FlashInfer kernels: kept across container restarts.
          ...(server === "vllm" ? [{ name: "cache", emptyDir: { sizeLimit: `${COMPILE_CACHE_GIB}Gi` } }] : []),
          nodeCache
            ? // The weights outlive the pod and are shared by every model server on the node. Type
              // Directory: the node's user data made it, owned by the pods' UID; never created as root.
              { name: "model-cache", hostPath: { path: MODEL_CACHE_HOST_PATH, type: "Directory" } }
            : { name: "model-cache", emptyDir: { sizeLimit: cache } },
          ...(gpu ? [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${2 * service.gpu}Gi` } }] : []),
        ],
        topologySpreadConstraints: zoneSpread(versionSelector(app, version.name)),
        ...gpuPlacement(gpu),
        ...(gpu ? gpuAffinity(args.instanceTypes) : {}),
      },
    },
  };
}
