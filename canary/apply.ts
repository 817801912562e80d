// Applies one set of weights the way a canary step must: written to the stack file, previewed to
// prove that only VirtualServices change, then `up`. When an update fails or is cancelled part way,
// the VirtualService is refreshed from the cluster and the stack file is made to say what it holds.
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { changeCollector, describeChange, pendingChanges, type ResourceChange } from "../automation/changes";
import { readWeights, writeWeights } from "../cli/stackFile";
import { Interrupted } from "./driver";
import type { Weights } from "../components/core/weights";
import { describeWeights } from "./steps";

export const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";

/** A change a canary step may make: an update of a VirtualService. */
export function isRoutingChange(change: ResourceChange): boolean {
  return change.op === "update" && change.type === VIRTUAL_SERVICE;
}

export interface StepTarget {
  stack: Stack;
  /** Pulumi.<stack>.yaml. */
  file: string;
  /** The service's config key, and its VirtualService's namespace and name. */
  service: string;
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
  outputs?: { metadata?: { name?: string; namespace?: string }; spec?: { http?: { route?: Route[] }[] } };
}
interface Route {
  destination: { subset: string };
  weight?: number;
}

/** The service's VirtualService in the stack's state. */
async function virtualService(target: StepTarget): Promise<StateResource> {
  const state = await target.stack.exportStack();
  const resources = (state.deployment.resources ?? []) as StateResource[];
  const found = resources.find(
    (r) =>
      r.type === VIRTUAL_SERVICE &&
      r.outputs?.metadata?.name === target.app &&
      r.outputs?.metadata?.namespace === target.namespace,
  );
  if (!found) throw new Error(`the stack holds no VirtualService ${target.namespace}/${target.app}`);
  return found;
}

/** Version → weight as a VirtualService's first route has them (a version it omits gets 0). */
export function routeWeights(resource: StateResource, versions: string[]): Weights {
  const route = resource.outputs?.spec?.http?.[0]?.route ?? [];
  return Object.fromEntries(
    versions.map((v) => [v, route.find((r) => r.destination.subset === v)?.weight ?? 0] as const),
  );
}

/**
 * After an update that did not finish: refresh the VirtualService from the cluster (the update may
 * or may not have reached it), then write what the state now holds into the stack file.
 */
export async function reconcile(target: StepTarget, log: (line: string) => void): Promise<Weights> {
  const before = await virtualService(target);
  await target.stack.refresh({ target: [before.urn] });
  const versions = Object.keys(readWeights(target.file, target.service));
  const deployed = routeWeights(await virtualService(target), versions);
  writeWeights(target.file, target.service, deployed);
  log(`  the cluster holds ${describeWeights(deployed)}; the stack file says so too`);
  return deployed;
}

/**
 * Writes the weights and applies them. Refuses, before `up`, a step whose preview changes anything
 * but VirtualServices (the stack file is restored). Throws Interrupted when cancelled.
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
