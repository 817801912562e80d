// Applies one set of weights the way a canary step must: written to the stack file, previewed to
// prove that only routes change (a service's VirtualService, a model's HTTPRoute and the
// InferenceObjective that follows its heaviest pool), then `up`. When
// an update fails or is cancelled part way, the route is refreshed from the cluster and the stack
// file is made to say what it holds.
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { changeCollector, describeChange, pendingChanges, type ResourceChange } from "../automation/changes";
import { readWeights, writeWeights } from "../cli/stackFile";
import { Interrupted } from "./driver";
import { poolName } from "../components/core/inferenceNames";
import type { Weights } from "../components/core/weights";
import { describeWeights } from "./steps";

export const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";
/** An llm service's versions are InferencePools behind the weighted backends of its HTTPRoute. */
export const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
/** A model's priority; its poolRef names the heaviest version's pool (components/inference/objective.ts). */
export const INFERENCE_OBJECTIVE = "kubernetes:inference.networking.x-k8s.io/v1alpha2:InferenceObjective";
const ROUTING_TYPES = new Set([VIRTUAL_SERVICE, HTTP_ROUTE, INFERENCE_OBJECTIVE]);

/** A change a canary step may make: an update of a route (or of the objective that follows it). */
export function isRoutingChange(change: ResourceChange): boolean {
  return change.op === "update" && ROUTING_TYPES.has(change.type);
}

export interface StepTarget {
  stack: Stack;
  /** Pulumi.<stack>.yaml. */
  file: string;
  /** The service's config key, and its route's kind, namespace and name. */
  service: string;
  route: typeof VIRTUAL_SERVICE | typeof HTTP_ROUTE;
  namespace: string;
  app: string;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  /** Whether the signal also cancels a running update (see PromoteOptions.cancelUpdates). */
  cancelUpdates: boolean;
  log: (line: string) => void;
  /** The update's engine events, for progress lines. */
  progress?: (event: EngineEvent) => void;
  /** Every engine event, the preview's too. */
  onEvent?: (event: EngineEvent) => void;
}

interface StateResource {
  urn: string;
  type: string;
  outputs?: {
    metadata?: { name?: string; namespace?: string };
    spec?: { http?: { route?: Route[] }[]; rules?: { backendRefs?: Backend[] }[] };
  };
}
interface Route {
  destination: { subset: string };
  weight?: number;
}
interface Backend {
  name: string;
  weight?: number;
}

/** The service's route in the stack's state. */
async function routeResource(target: StepTarget): Promise<StateResource> {
  const state = await target.stack.exportStack();
  const resources = (state.deployment.resources ?? []) as StateResource[];
  const found = resources.find(
    (r) =>
      r.type === target.route &&
      r.outputs?.metadata?.name === target.app &&
      r.outputs?.metadata?.namespace === target.namespace,
  );
  if (!found) throw new Error(`the stack holds no ${target.route.split(":")[2]} ${target.namespace}/${target.app}`);
  return found;
}

/**
 * Version → weight as a route has them (a version it omits gets 0): a VirtualService's first route
 * by subset, an HTTPRoute's first rule by pool ("<app>-<version>").
 */
export function routeWeights(resource: StateResource, app: string, versions: string[]): Weights {
  const weight = (version: string): number => {
    if (resource.type === HTTP_ROUTE) {
      const backends = resource.outputs?.spec?.rules?.[0]?.backendRefs ?? [];
      // Gateway API: a backend without a weight has weight 1.
      const backend = backends.find((b) => b.name === poolName(app, version));
      return backend ? (backend.weight ?? 1) : 0;
    }
    const route = resource.outputs?.spec?.http?.[0]?.route ?? [];
    return route.find((r) => r.destination.subset === version)?.weight ?? 0;
  };
  return Object.fromEntries(versions.map((v) => [v, weight(v)] as const));
}

/**
 * After an update that did not finish: refresh the route from the cluster (the update may
 * or may not have reached it), then write what the state now holds into the stack file.
 */
export async function reconcile(target: StepTarget, log: (line: string) => void): Promise<Weights> {
  const before = await routeResource(target);
  await target.stack.refresh({ target: [before.urn] });
  const versions = Object.keys(readWeights(target.file, target.service));
  const deployed = routeWeights(await routeResource(target), target.app, versions);
  writeWeights(target.file, target.service, deployed);
  log(`  the cluster holds ${describeWeights(deployed)}; the stack file says so too`);
  return deployed;
}

/**
 * Writes the weights and applies them. Refuses, before `up`, a step whose preview changes anything
 * but routes (the stack file is restored). Throws Interrupted when cancelled.
 */
export async function applyWeights(
  target: StepTarget,
  weights: Weights,
  label: string,
  options: ApplyOptions,
): Promise<void> {
  const previous = readWeights(target.file, target.service);
  writeWeights(target.file, target.service, weights);
  const onEvent = (event: EngineEvent) => options.onEvent?.(event);
  let planned: ResourceChange[];
  try {
    planned = await pendingChanges(target.stack, { onEvent });
  } catch (error) {
    writeWeights(target.file, target.service, previous);
    throw error;
  }
  const blocking = planned.filter((c) => !isRoutingChange(c));
  if (blocking.length > 0) {
    writeWeights(target.file, target.service, previous);
    throw new Error(
      `${label} would change more than routing, so it was not applied:\n` +
        blocking.map((c) => `  ${describeChange(c)}`).join("\n"),
    );
  }
  if (options.signal?.aborted) {
    writeWeights(target.file, target.service, previous);
    throw new Interrupted();
  }
  const applied = changeCollector();
  try {
    await target.stack.up({
      onEvent: (event) => (applied.onEvent(event), options.progress?.(event), onEvent(event)),
      signal: options.cancelUpdates ? options.signal : undefined,
    });
  } catch (error) {
    options.log(`  ${label} did not finish: ${firstLine(error)}`);
    const deployed = await reconcile(target, options.log).catch((failure) => {
      throw new Error(
        `${label} did not finish, and reading back what the cluster holds failed too (${firstLine(failure)}); ` +
          `run pulumi refresh, then check ${target.file}`,
      );
    });
    if (options.signal?.aborted) throw new Interrupted(deployed);
    throw error;
  }
  const unexpected = applied.changes.filter((c) => !isRoutingChange(c));
  if (unexpected.length > 0) {
    throw new Error(`${label} changed more than routing: ${unexpected.map(describeChange).join(", ")}`);
  }
}

/** The line of a CLI failure worth showing: its first "error:" line, else its first line. */
function firstLine(error: unknown): string {
  const lines = ((error as { message?: string }).message ?? String(error)).trim().split("\n");
  return (lines.find((line) => /\berror: /.test(line)) ?? lines[0]).trim().replace(/^.*?error: /, "");
}
