// EnvoyFilters istioctl analyze has nothing to say about: the mirror of its EnvoyPatchAnalyzer (Istio 1.30.3
// pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go) on hand-made filters, then on every EnvoyFilter
// of every committed stack, deployed through the mocks.
import { committedStacks } from "../cli/project";
import { localRateLimitSpec } from "../components/http/rateLimit";
import { deploy } from "../plan/engine";
import { kubernetesObjects } from "../plan/query";
import { reveal } from "../plan/recorder";
import { envoyFilterFindings } from "../policy/shared/envoyFilters";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form EnvoyFilter objects

const filter = (name: string, spec: Json): Json => ({
  apiVersion: "networking.istio.io/v1alpha3",
  kind: "EnvoyFilter",
  metadata: { name, namespace: "ai" },
  spec,
});
const patch = (applyTo: string, operation: string, extra: Json = {}): Json => ({
  applyTo,
  match: { context: "SIDECAR_INBOUND", ...extra.match },
  patch: { operation, value: { name: extra.name ?? "envoy.filters.http.lua" } },
});
const codes = (...filters: Json[]) => envoyFilterFindings(filters).map((f) => `${f.filter}[${f.patch}] ${f.code}`);

describe("the EnvoyPatchAnalyzer mirror", () => {
  it("reports a relative operation without a priority, naming the filter, the patch, the keys and what is allowed", () => {
    expect(envoyFilterFindings([filter("lua", { configPatches: [patch("HTTP_FILTER", "INSERT_BEFORE")] })])).toEqual([
      {
        code: "IST0151",
        filter: "ai/lua",
        filterIndex: 0,
        patch: 0,
        message:
          "EnvoyFilter ai/lua configPatches[0]: patch.operation INSERT_BEFORE is relative and spec.priority is 0, so Istio may not apply it; set a non-zero spec.priority or use an absolute operation (INSERT_FIRST, ADD) (IST0151)",
      },
    ]);
  });

  it("flags each relative operation (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) at priority 0, and none with a priority", () => {
    const patches = [
      patch("HTTP_FILTER", "INSERT_BEFORE"),
      patch("HTTP_FILTER", "INSERT_AFTER"),
      patch("HTTP_FILTER", "REPLACE"),
      patch("NETWORK_FILTER", "REMOVE"),
    ];
    expect(codes(filter("a", { configPatches: patches }))).toEqual([
      "ai/a[0] IST0151",
      "ai/a[1] IST0151",
      "ai/a[2] IST0151",
      "ai/a[3] IST0151",
    ]);
    expect(codes(filter("a", { priority: 0, configPatches: patches }))).toHaveLength(4);
    expect(codes(filter("a", { priority: 10, configPatches: patches }))).toEqual([]);
    expect(codes(filter("a", { priority: -10, configPatches: patches }))).toEqual([]);
  });

  it("leaves absolute operations alone: INSERT_FIRST, MERGE, ADD outside routes", () => {
    const patches = [
      patch("HTTP_FILTER", "INSERT_FIRST"),
      patch("HTTP_FILTER", "MERGE"),
      patch("CLUSTER", "ADD"),
      patch("HTTP_FILTER", "ADD"),
    ];
    expect(codes(filter("a", { configPatches: patches }))).toEqual([]);
  });

  it("reports the operations Istio ignores or refuses whatever the priority (IST0152, IST0153, IST0154)", () => {
    const patches = [
      patch("CLUSTER", "REPLACE"),
      patch("VIRTUAL_HOST", "REPLACE"),
      patch("HTTP_ROUTE", "ADD"),
      patch("ROUTE_CONFIGURATION", "ADD"),
      patch("ROUTE_CONFIGURATION", "REMOVE"),
      patch("HTTP_ROUTE", "REMOVE"),
    ];
    const findings = envoyFilterFindings([filter("a", { priority: 10, configPatches: patches })]);
    expect(findings.map((f) => f.message)).toEqual([
      "EnvoyFilter ai/a configPatches[0]: patch.operation REPLACE with applyTo CLUSTER is invalid; REPLACE applies to HTTP_FILTER, NETWORK_FILTER, VIRTUAL_HOST (IST0152)",
      "EnvoyFilter ai/a configPatches[2]: patch.operation ADD with applyTo HTTP_ROUTE is ignored; ADD applies to other targets (IST0153)",
      "EnvoyFilter ai/a configPatches[3]: patch.operation ADD with applyTo ROUTE_CONFIGURATION is ignored; ADD applies to other targets (IST0153)",
      "EnvoyFilter ai/a configPatches[4]: patch.operation REMOVE with applyTo ROUTE_CONFIGURATION is ignored; REMOVE applies to other targets (IST0154)",
      "EnvoyFilter ai/a configPatches[5]: patch.operation REMOVE with applyTo HTTP_ROUTE is ignored; REMOVE applies to other targets (IST0154)",
    ]);
  });

  it("says IST0155 once an earlier patch of the same filter name matched a proxyVersion, across filters too", () => {
    const versioned = patch("HTTP_FILTER", "INSERT_AFTER", {
      name: "lua1",
      match: { proxy: { proxyVersion: "^1\\.30.*" } },
    });
    const again = patch("HTTP_FILTER", "INSERT_AFTER", { name: "lua1" });
    const other = patch("HTTP_FILTER", "INSERT_AFTER", { name: "lua2" });
    // The first is filed only after it is checked: it is plain IST0151.
    expect(
      codes(filter("a", { configPatches: [versioned, again, other] }), filter("b", { configPatches: [again] })),
    ).toEqual(["ai/a[0] IST0151", "ai/a[1] IST0155", "ai/a[2] IST0151", "ai/b[0] IST0155"]);
    expect(envoyFilterFindings([filter("a", { configPatches: [versioned, again] })])[1].message).toContain(
      "spec.priority is 0, with a proxyVersion match on the same filter name,",
    );
  });

  it("files a value without a name under the listener filter it matches, as upstream does", () => {
    const byChain = (operation: string, proxyVersion?: string): Json => ({
      applyTo: "NETWORK_FILTER",
      match: {
        listener: { filterChain: { filter: { name: "envoy.filters.network.tcp_proxy" } } },
        ...(proxyVersion ? { proxy: { proxyVersion } } : {}),
      },
      patch: { operation, value: { typed_config: {} } },
    });
    expect(codes(filter("a", { configPatches: [byChain("INSERT_FIRST", "^1\\.30.*"), byChain("REPLACE")] }))).toEqual([
      "ai/a[1] IST0155",
    ]);
  });

  it("stops at the first patch without a patch section, as upstream does", () => {
    const broken = { applyTo: "HTTP_FILTER", match: {} };
    expect(codes(filter("a", { configPatches: [broken, patch("HTTP_FILTER", "INSERT_BEFORE")] }))).toEqual([]);
  });

  it("passes the local rate limit's filter, and fails it without its priority", () => {
    const spec = localRateLimitSpec("web", { requestsPerSecond: 50, burst: 100 }) as Json;
    expect(envoyFilterFindings([filter("web-local-ratelimit", spec)])).toEqual([]);
    expect(codes(filter("web-local-ratelimit", { ...spec, priority: undefined }))).toEqual([
      "ai/web-local-ratelimit[0] IST0151",
    ]);
  });
});

/**
 * The EnvoyFilters each committed stack writes: one rate limit per service with `rateLimit`, and the
 * LLM gateway's per-client limit with `llm.clientRateLimit`.
 */
const EXPECTED_FILTERS: Record<string, string[]> = {
  dev: ["ai/web-local-ratelimit", "ai/object-detector-local-ratelimit", "llm-gateway/client-rate-limit"],
  local: [],
};

describe.each(committedStacks())("stack %s", (stack) => {
  it("writes only EnvoyFilters the analyzer passes", async () => {
    const run = await deploy({ stack });
    const filters = kubernetesObjects(run.resources)
      .map((r) => reveal(r.inputs) as Json)
      .filter((o) => o.kind === "EnvoyFilter");
    // The check runs on the filters the stack really writes (a new stack must say which it expects).
    expect(filters.map((f) => `${f.metadata.namespace}/${f.metadata.name}`)).toEqual(EXPECTED_FILTERS[stack]);
    expect(envoyFilterFindings(filters)).toEqual([]);
  });
});
