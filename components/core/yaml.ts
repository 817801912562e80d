// The one YAML writer (chart config strings, the plan's manifests): the `yaml` library, fixed options.
import { stringify } from "yaml";

/**
 * Plain block YAML, stable for a given value: no anchors for repeated objects, no folded lines, and
 * strings quoted wherever a YAML 1.1 reader would take them for something else (`"on"`, `"1:30"`,
 * `"2024-01-01"`). Go's yaml.v2 — Helm, Prometheus, Alertmanager — reads YAML 1.1, so what it reads
 * back equals what was written; YAML 1.2 readers read the same.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: "1.1", aliasDuplicateObjects: false, lineWidth: 0 });
}
