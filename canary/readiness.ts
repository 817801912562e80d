// Before a model version gets weight it had none of, its pool must be able to answer: at least one
// model server pod ready and its endpoint picker ready. A pool without a ready endpoint answers its
// whole share with 503 (all of the rule's traffic, if its picker is the rule's in Istio 1.30.3), and a
// model loads for up to 30 minutes. Pure checks here; kubectl through the API server in poolReadiness.
import { execFile } from "child_process";
import { promisify } from "util";
import type { Weights } from "../components/core/weights";
import { pickerName, poolName } from "../components/core/inferenceNames";

/** What the cluster says about one version's pool. */
export interface PoolReadiness {
  /** Model server pods selected by the pool (app, version), and how many of them are Ready. */
  pods: number;
  readyPods: number;
  /** The picker Deployment's ready replicas; undefined when it does not exist. */
  pickerReady?: number;
}

/** The versions a move from `before` to `after` gives weight they did not have. */
export function raisedFromZero(before: Weights, after: Weights): string[] {
  return Object.keys(after).filter((version) => (before[version] ?? 0) === 0 && after[version] > 0);
}

/** A refusal: giving the version weight now would fail its share of requests. */
export class PoolNotReady extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoolNotReady";
  }
}

/** Why the version's pool cannot take traffic yet, or undefined when it can. */
export function notReadyReason(
  target: { namespace: string; app: string; version: string },
  readiness: PoolReadiness,
): string | undefined {
  const { namespace, app, version } = target;
  const pool = poolName(app, version);
  const picker = pickerName(pool);
  const missing: string[] = [];
  if (readiness.readyPods === 0) missing.push(`${readiness.readyPods} of ${readiness.pods} model server pods ready`);
  if (readiness.pickerReady === undefined) missing.push(`no endpoint picker ${picker}`);
  else if (readiness.pickerReady === 0) missing.push(`endpoint picker ${picker} not ready`);
  if (missing.length === 0) return undefined;
  return (
    `refusing to give ${app} ${version} weight: its InferencePool ${pool} has no ready endpoint (${missing.join("; ")}), ` +
    `so its share of the model's requests would fail with 503. Wait until ` +
    `kubectl -n ${namespace} get pods -l app=${app},version=${version} shows a Ready pod (a model loads for up to its startupTimeout), then run the canary again.`
  );
}

interface PodList {
  items: { metadata: { deletionTimestamp?: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** Pods that count: not being deleted; ready ones have the Ready condition True. */
export function countReady(list: PodList): Pick<PoolReadiness, "pods" | "readyPods"> {
  const live = list.items.filter((pod) => !pod.metadata.deletionTimestamp);
  const ready = live.filter((pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  return { pods: live.length, readyPods: ready.length };
}

/** How kubectl reaches the stack's cluster. */
export interface KubeAccess {
  kubeconfig?: string;
  context?: string;
}

/** Reads one version's pool readiness from the cluster with kubectl. */
export function poolReadiness(access: KubeAccess, namespace: string, app: string) {
  const run = promisify(execFile);
  const kubectl = async (args: string[]) =>
    (
      await run(
        "kubectl",
        [
          ...(access.kubeconfig ? ["--kubeconfig", access.kubeconfig] : []),
          ...(access.context ? ["--context", access.context] : []),
          "-n",
          namespace,
          ...args,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      )
    ).stdout;
  return async (version: string): Promise<PoolReadiness> => {
    const pods = countReady(
      JSON.parse(await kubectl(["get", "pods", "-l", `app=${app},version=${version}`, "-o", "json"])),
    );
    const picker = await kubectl([
      "get",
      "deployment",
      pickerName(poolName(app, version)),
      "--ignore-not-found",
      "-o",
      "json",
    ]);
    const status = picker.trim() ? (JSON.parse(picker) as { status?: { readyReplicas?: number } }).status : undefined;
    return { ...pods, pickerReady: picker.trim() ? (status?.readyReplicas ?? 0) : undefined };
  };
}

/** Throws PoolNotReady when a version about to get weight has no ready endpoint. */
export async function assertPoolsReady(
  target: { namespace: string; app: string },
  before: Weights,
  after: Weights,
  read: (version: string) => Promise<PoolReadiness>,
): Promise<void> {
  for (const version of raisedFromZero(before, after)) {
    const reason = notReadyReason({ ...target, version }, await read(version));
    if (reason) throw new PoolNotReady(reason);
  }
}
