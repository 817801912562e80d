// What is wrong with a stack's config, said once: each problem names the key path, the value and what
// is allowed, and every problem found is thrown together, before any resource is registered.

export interface Problem {
  /** The config key path, e.g. services.objectDetector.versions (or the file and line). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** A zod-style path as the stack file spells it: ["services", "web", "versions", 0] → services.web.versions[0]. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}
