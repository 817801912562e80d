// Settings from the environment, checked at start: a bad value stops the process with a message
// that names the variable, the value and what is allowed.
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function envInt(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not allowed: use a whole number from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

export function envNumber(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not allowed: use a number from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

export function envChoice<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not allowed: use one of ${allowed.join(", ")}`);
  }
  return raw as T;
}

export function envUrl(env: Env, name: string, fallback: string): string {
  const raw = envString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not allowed: use an http:// or https:// URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not allowed: use an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, "");
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
