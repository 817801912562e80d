// The plan's tree: names keep the part that differs, and a YAML bundle shows the objects it applies.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CRD_MANIFESTS } from "../components/charts/manifests";
import { bundleContents } from "../plan/bundles";
import type { RecordedResource } from "../plan/recorder";
import { listNames, renderTree } from "../plan/tree";

const resource = (
  type: string,
  name: string,
  parent?: string,
  inputs: Record<string, unknown> = {},
  custom = true,
): RecordedResource => ({
  urn: `urn:${type}::${name}`,
  type,
  name,
  custom,
  parent,
  dependencies: [],
  propertyDependencies: {},
  inputs,
  options: { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
});

describe("listNames", () => {
  it("writes the shared prefix once, cut at a separator", () => {
    const subnets = ["public-0", "public-1", "public-2", "private-0", "private-1", "private-2"];
    expect(listNames(subnets.map((s) => `network-${s}`))).toBe(
      "network-{public-0, public-1, public-2, private-0, private-1, private-2}",
    );
    // "network-p" is shared too, but not up to a separator: the prefix stops at "network-".
    expect(listNames(["network-public", "network-private-0"])).toBe("network-{public, private-0}");
    expect(listNames(["mesh-istio-system", "mesh-istio-ingress"])).toBe("mesh-istio-{system, ingress}");
    expect(listNames(["a-x", "b-x"])).toBe("a-x, b-x");
    expect(listNames(["karpenter-node"])).toBe("karpenter-node");
    // A name that is all prefix keeps the prefix shorter: every name keeps a remainder.
    expect(listNames(["karpenter-node", "karpenter-node-access"])).toBe("karpenter-{node, node-access}");
  });

  it("cuts the middle of a long list, keeping the first and last names whole", () => {
    const versions = Array.from({ length: 40 }, (_, i) => `platform-object-detector-v${i + 1}`);
    const text = listNames(versions);
    expect(text).toBe(
      "platform-object-detector-{v1, v2, v3, v4, v5, v6, v7, v8, … 24 more …, v33, v34, v35, v36, v37, v38, v39, v40}",
    );
    expect(text.length).toBeLessThanOrEqual(110);
    expect(listNames(["x-aaaa", "x-bbbb", "x-cccc", "x-dddd", "x-eeee"], 20)).toBe("x-{aaaa, … 3 more …, eeee}");
    // Hiding one name saves nothing: all three are shown, however narrow the width.
    expect(listNames(["service-alpha-long-name", "service-beta-long-name", "service-gamma-long-name"], 30)).toBe(
      "service-{alpha-long-name, beta-long-name, gamma-long-name}",
    );
  });
});

describe("YAML bundles in the tree", () => {
  const stack = resource("pulumi:pulumi:Stack", "ai-mesh-dev", undefined, {}, false);
  const crds = resource("ai-mesh:index:InferenceCrds", "inference-crds", stack.urn, {}, false);
  // yaml/v2:ConfigFile is a component to the engine: the objects it reads become its children on deploy.
  const bundle = (name: string, file: string, parent = crds.urn) =>
    resource("kubernetes:yaml/v2:ConfigFile", name, parent, { file }, false);

  it("shows what a pinned release asset applies, every CRD kind by API group", () => {
    const tree = renderTree([
      stack,
      crds,
      bundle("inference-crds-gateway-api", CRD_MANIFESTS.gatewayApi.url),
      bundle("inference-crds-inference-extension", CRD_MANIFESTS.inferenceExtension.url),
      bundle("other", "https://example.com/unknown.yaml"),
    ]);
    expect(tree).toBe(
      [
        "ai-mesh-dev  pulumi:pulumi:Stack  (4 resources)",
        "└─ inference-crds  ai-mesh:index:InferenceCrds  (3 resources)",
        "   ├─ inference-crds-gateway-api  kubernetes:yaml/v2:ConfigFile  (applies 10 objects)",
        "   │  ├─ 8 × CustomResourceDefinition: gateway.networking.k8s.io/{BackendTLSPolicy, GatewayClass, Gateway, GRPCRoute, HTTPRoute, ListenerSet, ReferenceGrant, TLSRoute}",
        "   │  ├─ 1 × ValidatingAdmissionPolicy: safe-upgrades.gateway.networking.k8s.io",
        "   │  └─ 1 × ValidatingAdmissionPolicyBinding: safe-upgrades.gateway.networking.k8s.io",
        "   ├─ inference-crds-inference-extension  kubernetes:yaml/v2:ConfigFile  (applies 5 objects)",
        "   │  └─ 5 × CustomResourceDefinition: inference.networking.x-k8s.io/{InferencePool, InferenceModelRewrite, InferenceObjective, InferencePoolImport}, inference.networking.k8s.io/InferencePool",
        "   └─ other  kubernetes:yaml/v2:ConfigFile  (objects known after deploy)",
      ].join("\n"),
    );
  });

  it("counts one resource, or one object, in the singular", () => {
    const one = (name: string, file: string) => [
      resource("pulumi:pulumi:Stack", name),
      resource("ai-mesh:index:Network", "network", `urn:pulumi:pulumi:Stack::${name}`, {}, false),
      resource("aws:ec2/vpc:Vpc", "network-vpc", "urn:ai-mesh:index:Network::network"),
      bundle("crds", file, `urn:pulumi:pulumi:Stack::${name}`),
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const file = path.join(dir, "one.yaml");
    fs.writeFileSync(file, "apiVersion: v1\nkind: Namespace\nmetadata: { name: widgets }\n");
    expect(renderTree(one("ai-mesh-one", file))).toBe(
      [
        "ai-mesh-one  pulumi:pulumi:Stack  (3 resources)",
        "├─ network  ai-mesh:index:Network  (1 resource)",
        "│  └─ 1 × aws:ec2/vpc:Vpc: network-vpc",
        "└─ crds  kubernetes:yaml/v2:ConfigFile  (applies 1 object)",
        "   └─ 1 × Namespace: widgets",
      ].join("\n"),
    );
    fs.rmSync(dir, { recursive: true });
  });

  it("reads a bundle on disk (charts.directory) rather than trusting the pin", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const file = path.join(dir, CRD_MANIFESTS.inferenceExtension.file);
    fs.writeFileSync(
      file,
      [
        "---",
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata: { name: widgets.example.com }",
        "spec: { group: example.com, names: { kind: Widget, plural: widgets } }",
        "---",
        "# an empty document",
        "---",
        "apiVersion: v1",
        "kind: Namespace",
        "metadata: { name: widgets }",
        "",
      ].join("\n"),
    );
    expect(bundleContents(file)).toEqual([
      { kind: "CustomResourceDefinition", name: "example.com/Widget" },
      { kind: "Namespace", name: "widgets" },
    ]);
    expect(
      renderTree([stack, bundle("crds", file, stack.urn)])
        .split("\n")
        .slice(1),
    ).toEqual([
      "└─ crds  kubernetes:yaml/v2:ConfigFile  (applies 2 objects)",
      "   ├─ 1 × CustomResourceDefinition: example.com/Widget",
      "   └─ 1 × Namespace: widgets",
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it.each(Object.entries(CRD_MANIFESTS))(
    "%s: the pinned contents name one CRD per CRD file of the module",
    (_, ref) => {
      const plural = (kind: string) =>
        kind
          .toLowerCase()
          .replace(/([^aeiou])y$/, "$1ie")
          .replace(/s$/, "se") + "s";
      // gateway.networking.k8s.io_httproutes.yaml defines gateway.networking.k8s.io/HTTPRoute; _vap_ files hold no CRD.
      const fromFiles = ref.goModule.files
        .map((file) => path.basename(file, ".yaml"))
        .filter((name) => !name.includes("_vap_"))
        .map((name) => name.replace("_", "/"));
      const fromPin = ref.holds.crds.map((crd) => {
        const [group, kind] = crd.split("/");
        return `${group}/${plural(kind)}`;
      });
      expect(fromPin.sort()).toEqual(fromFiles.sort());
    },
  );
});
