// Finders over recorded resources, so tests read like the assertions they make.
import type { RecordedResource } from "./recorder";

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The single resource of a type (and name, when given); throws with what exists otherwise. */
export function one(resources: RecordedResource[], type: string, name?: string): RecordedResource {
  const matches = ofType(resources, type).filter((r) => name === undefined || r.name === name);
  if (matches.length !== 1) {
    const names = ofType(resources, type).map((r) => r.name);
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length} (have: ${names.join(", ")})`,
    );
  }
  return matches[0];
}

export function byUrn(resources: RecordedResource[], urn: string | undefined): RecordedResource | undefined {
  return resources.find((r) => r.urn === urn);
}

/** Whether `resource` depends on `dependency` directly (dependsOn or an input taken from it). */
export function dependsOn(resource: RecordedResource, dependency: RecordedResource): boolean {
  return resource.dependencies.includes(dependency.urn);
}

/** Kubernetes objects (not Helm releases, not providers) as the manifests they would apply. */
export function kubernetesObjects(resources: RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && "kind" in r.inputs);
}

/** Reads a nested input by dotted path ("spec.template.spec.containers"). */
export function at(value: unknown, dottedPath: string): unknown {
  return dottedPath
    .split(".")
    .reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], value);
}
