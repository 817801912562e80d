// Settings from the environment, checked at start: a bad value stops the process with a message
// that names the variable, the value and what is allowed.
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

/** The one shape of every refusal: `NAME="value" is not allowed: <what is>`. */
export function notAllowed(name: string, raw: string, allowed: string): ConfigError {
  return new ConfigError(`${name}=${JSON.stringify(raw)} is not allowed: ${allowed}`);
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function envString(env: Env, name: string, fallback: string): string {
  return envOptional(env, name) ?? fallback;
}

interface Range {
  min: number;
  max: number;
}

function envInRange(env: Env, name: string, fallback: number, range: Range, whole: boolean): number {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const wellFormed = whole ? /^\d+$/.test(raw) : Number.isFinite(value);
  if (!wellFormed || value < range.min || value > range.max) {
    throw notAllowed(name, raw, `use ${whole ? "a whole number" : "a number"} from ${range.min} to ${range.max}`);
  }
  return value;
}

export function envInt(env: Env, name: string, fallback: number, range: Range): number {
  return envInRange(env, name, fallback, range, true);
}

export function envNumber(env: Env, name: string, fallback: number, range: Range): number {
  return envInRange(env, name, fallback, range, false);
}

export function envChoice<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw notAllowed(name, raw, `use one of ${allowed.join(", ")}`);
  return raw as T;
}

/** An http(s) URL, or undefined when the variable is not set. */
export function envOptionalUrl(env: Env, name: string): string | undefined {
  const raw = envOptional(env, name);
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !["http:", "https:"].includes(new URL(raw).protocol)) {
    throw notAllowed(name, raw, "use an http:// or https:// URL");
  }
  return raw;
}

/** A base URL to append paths to (trailing slashes dropped). */
export function envUrl(env: Env, name: string, fallback: string): string {
  return (envOptionalUrl(env, name) ?? fallback).replace(/\/+$/, "");
}

/** The largest request body a service buffers (an uploaded image). */
export function maxBodyBytes(env: Env): number {
  return envInt(env, "MAX_BODY_BYTES", 10 * 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 });
}

/** What every service reads: its name and version (set by the platform's pod spec) and its port. */
export interface ServiceIdentity {
  name: string;
  version: string;
  port: number;
}

export function serviceIdentity(env: Env, defaultName: string): ServiceIdentity {
  return {
    name: envString(env, "SERVICE_NAME", defaultName),
    version: envString(env, "SERVICE_VERSION", "dev"),
    port: envInt(env, "PORT", 8080, { min: 1, max: 65535 }),
  };
}
