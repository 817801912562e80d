// Every key the program reads under the project's namespace (`ai-mesh:`), and how: the one list.
// loadConfig reads exactly these, and a stack that sets any other is refused with the nearest of these.
import { nearest } from "../core/nearest";
import type { Problem } from "../core/problems";

export const PROJECT = "ai-mesh";

/**
 * string: a scalar Pulumi.yaml can type; object: structured, read with getObject and validated by
 * zod; secret: read with getSecret, never plaintext.
 */
export const CONFIG_KEYS = {
  environment: "string",
  cluster: "object",
  istio: "object",
  observability: "object",
  services: "object",
  callGraph: "object",
  charts: "object",
  llm: "object",
  alertWebhookUrl: "secret",
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Keys of the config (namespaced, "ai-mesh:cluster") this program does not read: a typo is never ignored. */
export function unknownKeyProblems(keys: string[]): Problem[] {
  const known = Object.keys(CONFIG_KEYS).map((key) => `${PROJECT}:${key}`);
  return keys
    .filter((key) => key.startsWith(`${PROJECT}:`) && !known.includes(key))
    .map((key) => {
      // The name after the namespace: "ai-mesh:" in both would make any two keys look alike.
      const name = nearest(key.slice(PROJECT.length + 1), Object.keys(CONFIG_KEYS));
      const suggestion = name && `${PROJECT}:${name}`;
      return {
        path: key,
        message: `is not a key ${PROJECT} reads${suggestion ? `; did you mean ${suggestion}?` : ""} (keys: ${known.join(", ")})`,
      };
    });
}
