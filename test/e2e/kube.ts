// Reads and writes the cluster through the Kubernetes API with kubectl (on PATH next to pulumi).
import { execFileSync } from "child_process";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects as the API server returns them
export type KubeObject = Record<string, any>;

export function kubectl(args: string[], input?: string): string {
  return execFileSync("kubectl", args, {
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** `-n <namespace>`, or every namespace for "*". */
function scope(namespace?: string): string[] {
  if (namespace === undefined) return [];
  return namespace === "*" ? ["--all-namespaces"] : ["-n", namespace];
}

/** `kubectl get -o json`: the object (or list), or undefined when it does not exist. */
export function get(resource: string, namespace?: string, selector?: string): KubeObject | undefined {
  const args = ["get", resource, "-o", "json", ...scope(namespace), ...(selector ? ["-l", selector] : [])];
  try {
    return JSON.parse(kubectl(args)) as KubeObject;
  } catch (error) {
    if (/NotFound|not found/.test(String((error as { stderr?: string }).stderr ?? error))) return undefined;
    throw error;
  }
}

export function items(resource: string, namespace?: string, selector?: string): KubeObject[] {
  return (get(resource, namespace, selector)?.items ?? []) as KubeObject[];
}

export function apply(object: KubeObject): void {
  kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(object));
}

export function remove(resource: string, namespace?: string): void {
  kubectl(["delete", resource, "--ignore-not-found", "--wait=true", ...scope(namespace)]);
}
