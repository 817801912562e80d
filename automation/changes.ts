// What an update would do or did, resource by resource, from the engine's own events.
import type { EngineEvent, OpType, PreviewOptions, Stack } from "@pulumi/pulumi/automation";

export interface ResourceChange {
  op: OpType;
  type: string;
  /** The resource's Pulumi name (last URN segment). */
  name: string;
  urn: string;
}

const QUIET_OPS: OpType[] = ["same", "read"];

/** "urn:pulumi:stack::project::parent$type::name" → "name". */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Collects every step that changes something (not "same" or "read"), from resource-pre events. */
export function changeCollector(): { changes: ResourceChange[]; onEvent: (event: EngineEvent) => void } {
  const changes: ResourceChange[] = [];
  return {
    changes,
    onEvent: (event) => {
      const step = event.resourcePreEvent?.metadata;
      if (!step || QUIET_OPS.includes(step.op) || step.type === "pulumi:pulumi:Stack") return;
      changes.push({ op: step.op, type: step.type, name: urnName(step.urn), urn: step.urn });
    },
  };
}

/** Previews the stack and returns the resources that would change. */
export async function pendingChanges(stack: Stack, options: PreviewOptions = {}): Promise<ResourceChange[]> {
  const collector = changeCollector();
  await stack.preview({
    ...options,
    onEvent: (event) => {
      collector.onEvent(event);
      options.onEvent?.(event);
    },
  });
  return collector.changes;
}

export function describeChange(change: ResourceChange): string {
  return `${change.op} ${change.type} ${change.name}`;
}
