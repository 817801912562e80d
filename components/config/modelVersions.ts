// The weights each version of an llm service loads: its own source and revision, else the service's.
// One place for the rule: the config checks pin it, the model server loads it, capacity counts it.
import type { LlmServiceConfig } from "./schema";

type LlmVersion = LlmServiceConfig["versions"][number];

/** The source and revision a version loads: its own, else the service's. */
export function versionModel(service: LlmServiceConfig, version: LlmVersion): { source: string; revision?: string } {
  const source = version.model?.source ?? service.model.source;
  const revision = version.model?.revision ?? (version.model?.source ? undefined : service.model.revision);
  return { source, revision };
}

/** The distinct checkpoints a service's versions load (a canary of new weights adds one). */
export function checkpoints(service: LlmServiceConfig): string[] {
  return [
    ...new Set(
      service.versions.map((v) => {
        const { source, revision } = versionModel(service, v);
        return revision ? `${source}@${revision}` : source;
      }),
    ),
  ];
}
