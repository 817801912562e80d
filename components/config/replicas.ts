// A version's replica range: its own, or the service's. Pure.
import type { ServiceConfig, VersionConfig } from "./schema";

export interface ReplicaRange {
  min: number;
  max: number;
}

export function versionReplicas(service: Pick<ServiceConfig, "replicas">, version: VersionConfig): ReplicaRange {
  return version.replicas ?? service.replicas;
}
