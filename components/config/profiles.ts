// Service profiles: the defaults a kind of service starts from. A service's own settings win.
import type { CpuMemory } from "../core/quantity";

const CONNECTION_RETRIES = "connect-failure,refused-stream,unavailable,cancelled";

export interface Profile {
  gpu: number;
  /** How long the startup probe allows (model loading can take minutes). */
  startupTimeout: string;
  retryOn: string;
  requests: CpuMemory;
  limits: CpuMemory;
}

export const PROFILES = {
  /** A web front end: light, quick to start. */
  frontend: {
    gpu: 0,
    startupTimeout: "60s",
    retryOn: CONNECTION_RETRIES,
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "1", memory: "512Mi" },
  },
  /** CPU-bound processing or inference (image preprocessing, small models, embeddings on CPU). */
  "cpu-inference": {
    gpu: 0,
    startupTimeout: "120s",
    retryOn: CONNECTION_RETRIES,
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "2", memory: "2Gi" },
  },
  /** Model inference on one NVIDIA GPU; minutes to load a model. */
  "gpu-inference": {
    gpu: 1,
    startupTimeout: "10m",
    // Envoy cannot replay bodies over 1 MiB (image uploads), so only retry what never reached the pod.
    retryOn: "connect-failure,refused-stream",
    requests: { cpu: "2", memory: "8Gi" },
    limits: { cpu: "4", memory: "16Gi" },
  },
  /**
   * A large language model on vLLM (llmSchema.ts): as many GPUs as its tensor-parallel size, and
   * half an hour to download and load weights. Sized to fit the smallest one-GPU nodes (g5.xlarge,
   * g6.xlarge: 4 vCPU, 16 GiB) with an 8B model; larger models need more host memory.
   */
  llm: {
    gpu: 1,
    startupTimeout: "30m",
    // Never replay a generation: only what never reached the model server.
    retryOn: "connect-failure,refused-stream",
    requests: { cpu: "3", memory: "12Gi" },
    limits: { cpu: "4", memory: "14Gi" },
  },
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
export type HttpProfileName = Exclude<ProfileName, "llm">;
export const HTTP_PROFILE_NAMES = Object.keys(PROFILES).filter((name) => name !== "llm") as [
  HttpProfileName,
  ...HttpProfileName[],
];
export const DEFAULT_PROFILE: HttpProfileName = "cpu-inference";

/** An LLM's canary is judged on whole generations: its P99 is tens of seconds, not milliseconds. */
const LLM_CANARY_MAX_P99_MS = 120_000;

type Raw = Record<string, unknown>;
const isMap = (value: unknown): value is Raw => value !== null && typeof value === "object" && !Array.isArray(value);

/** An llm replica takes one GPU per tensor-parallel rank; the simulator takes none. */
function llmGpus(model: unknown): unknown {
  if (!isMap(model)) return PROFILES.llm.gpu;
  if (model.server === "simulator") return 0;
  return model.tensorParallelSize ?? PROFILES.llm.gpu;
}

/**
 * Fills the fields a service leaves out from its profile, before validation. Anything malformed is
 * left as it is, for the schema to report with its path.
 */
export function withProfileDefaults(raw: unknown): unknown {
  if (!isMap(raw)) return raw;
  const name = raw.profile ?? DEFAULT_PROFILE;
  // An unknown profile is reported by the schema; the default profile keeps other errors quiet.
  const known = typeof name === "string" && Object.hasOwn(PROFILES, name);
  const profile: Profile = PROFILES[known ? (name as ProfileName) : DEFAULT_PROFILE];
  const resources = raw.resources === undefined ? {} : raw.resources;
  return {
    ...raw,
    profile: raw.profile ?? DEFAULT_PROFILE,
    gpu: raw.gpu ?? (name === "llm" ? llmGpus(raw.model) : profile.gpu),
    startupTimeout: raw.startupTimeout ?? profile.startupTimeout,
    resources: isMap(resources)
      ? { ...resources, requests: resources.requests ?? profile.requests, limits: resources.limits ?? profile.limits }
      : resources,
    ...(isMap(raw.retries) ? { retries: { retryOn: profile.retryOn, ...raw.retries } } : {}),
    ...(name === "llm" && (raw.canary === undefined || isMap(raw.canary))
      ? { canary: { maxP99Ms: LLM_CANARY_MAX_P99_MS, ...(raw.canary ?? {}) } }
      : {}),
  };
}
