// A RecordedResource made by hand, as the recorder would make it: fixtures for policy tests.
import type { RecordedResource } from "../../plan/recorder";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form resource inputs

let counter = 0;

/** A custom resource of `type` with `inputs`; a fresh name unless `extra` gives one. */
export function resource(type: string, inputs: Json, extra: Partial<RecordedResource> = {}): RecordedResource {
  const name = extra.name ?? `r${++counter}`;
  return {
    urn: `urn:pulumi:test::ai-mesh::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs,
    options: { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
    ...extra,
  };
}
