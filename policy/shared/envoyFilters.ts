// EnvoyFilters Istio may skip or ignore: the rules of istioctl's EnvoyPatchAnalyzer (shared, see README.md here).
//
// A pure mirror of Istio 1.30.3 pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go
// (relativeOperationMsg, lines 57-86; analyzeEnvoyFilterPatch, lines 88-176; Analyze carries the
// proxyVersion names from filter to filter, lines 47-55), codes from pkg/config/analysis/msg/messages.yaml:
//   IST0151  a relative operation (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) with priority 0
//   IST0155  the same, where an earlier patch with the same filter name set match.proxy.proxyVersion
//   IST0152  REPLACE on anything but HTTP_FILTER, NETWORK_FILTER, VIRTUAL_HOST
//   IST0153  ADD on ROUTE_CONFIGURATION or HTTP_ROUTE (ignored)
//   IST0154  REMOVE on ROUTE_CONFIGURATION or HTTP_ROUTE (ignored)
// ADD elsewhere, INSERT_FIRST and MERGE are absolute: nothing to report.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EnvoyFilter objects are free-form JSON
type Json = Record<string, any>;

export type EnvoyFilterCode = "IST0151" | "IST0152" | "IST0153" | "IST0154" | "IST0155";

export interface EnvoyFilterFinding {
  code: EnvoyFilterCode;
  /** "namespace/name" of the EnvoyFilter. */
  filter: string;
  /** Its position in the list given. */
  filterIndex: number;
  /** Index into spec.configPatches. */
  patch: number;
  message: string;
}

const ROUTE_TARGETS = ["ROUTE_CONFIGURATION", "HTTP_ROUTE"];
const REPLACEABLE = ["HTTP_FILTER", "NETWORK_FILTER", "VIRTUAL_HOST"];

function nameOf(filter: Json): string {
  const meta = filter.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
}

/**
 * The name the analyzer files a patch under: the patch value's `name`, else (a value without one) the
 * listener filter it matches. The two are kept apart as upstream keeps them (a proto Value's text vs a
 * plain string).
 */
function instanceName(patch: Json): string {
  const value = patch.patch?.value;
  if (value === null || typeof value !== "object") return "";
  if (value.name !== undefined) return `value:${JSON.stringify(value.name)}`;
  return patch.match?.listener?.filterChain?.filter?.name ?? "";
}

/**
 * What `istioctl analyze` reports for these EnvoyFilters, walked in the order given. The analyzer carries
 * the names of patches with a proxyVersion from one filter to the next, and walks its store in no set
 * order, so across filters which of IST0151 and IST0155 a patch gets may differ upstream; whether a
 * priority-0 relative patch is reported at all does not. An empty list: the analyzer has nothing to say.
 */
export function envoyFilterFindings(filters: Json[]): EnvoyFilterFinding[] {
  const findings: EnvoyFilterFinding[] = [];
  const proxyVersioned: string[] = [];
  for (const [filterIndex, filter] of filters.entries()) {
    const spec = filter.spec ?? {};
    const priority = spec.priority ?? 0;
    const where = nameOf(filter);
    const patches: Json[] = spec.configPatches ?? [];
    for (let index = 0; index < patches.length; index++) {
      const patch = patches[index] ?? {};
      // Upstream stops at the first patch without a `patch` section.
      if (!patch.patch) break;
      const operation: string = patch.patch.operation ?? "INVALID";
      const applyTo: string = patch.applyTo ?? "INVALID";
      const name = instanceName(patch);
      const at = `EnvoyFilter ${where} configPatches[${index}]`;
      const report = (code: EnvoyFilterCode, message: string) =>
        findings.push({ code, filter: where, filterIndex, patch: index, message: `${at}: ${message} (${code})` });
      const relative = () => {
        if (priority !== 0) return;
        const versioned = proxyVersioned.includes(name);
        report(
          versioned ? "IST0155" : "IST0151",
          `patch.operation ${operation} is relative and spec.priority is 0${versioned ? ", with a proxyVersion match on the same filter name" : ""}, so Istio may not apply it; set a non-zero spec.priority or use an absolute operation (INSERT_FIRST, ADD)`,
        );
      };
      if (operation === "ADD") {
        if (ROUTE_TARGETS.includes(applyTo)) {
          report("IST0153", `patch.operation ADD with applyTo ${applyTo} is ignored; ADD applies to other targets`);
        }
      } else if (operation === "REMOVE") {
        if (ROUTE_TARGETS.includes(applyTo)) {
          report(
            "IST0154",
            `patch.operation REMOVE with applyTo ${applyTo} is ignored; REMOVE applies to other targets`,
          );
        } else relative();
      } else if (operation === "REPLACE") {
        if (!REPLACEABLE.includes(applyTo)) {
          report(
            "IST0152",
            `patch.operation REPLACE with applyTo ${applyTo} is invalid; REPLACE applies to ${REPLACEABLE.join(", ")}`,
          );
        } else relative();
      } else if (operation === "INSERT_BEFORE" || operation === "INSERT_AFTER") {
        relative();
      }
      if (patch.match?.proxy?.proxyVersion) proxyVersioned.push(name);
    }
  }
  return findings;
}
