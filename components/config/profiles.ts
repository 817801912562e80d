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
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as [ProfileName, ...ProfileName[]];
export const DEFAULT_PROFILE: ProfileName = "cpu-inference";

type Raw = Record<string, unknown>;
const isMap = (value: unknown): value is Raw => value !== null && typeof value === "object" && !Array.isArray(value);

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
    gpu: raw.gpu ?? profile.gpu,
    startupTimeout: raw.startupTimeout ?? profile.startupTimeout,
    resources: isMap(resources)
      ? { ...resources, requests: resources.requests ?? profile.requests, limits: resources.limits ?? profile.limits }
      : resources,
    ...(isMap(raw.retries) ? { retries: { retryOn: profile.retryOn, ...raw.retries } } : {}),
  };
}
