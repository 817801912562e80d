// Istio zero-trust and traffic policies.
import type { PolicyResource } from "@pulumi/policy";
import {
  WORKLOAD_TYPES,
  objectName,
  ofKind,
  resourcePolicy,
  stackPolicy,
  type AiMeshPolicy,
  type Props,
} from "./helpers";
import { envoyFilterFindings } from "./shared/envoyFilters";

const WEAK_MTLS = ["PERMISSIVE", "DISABLE"];
const SYSTEM_NAMESPACES = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "default",
  "istio-system",
  "istio-ingress",
  "monitoring",
  // Gateway namespaces take traffic from outside the mesh; KEDA is a cluster add-on like metrics-server.
  "llm-gateway",
  "keda",
];
const exemptSchema = {
  properties: {
    exemptNamespaces: {
      type: "array" as const,
      items: { type: "string" as const },
      default: SYSTEM_NAMESPACES,
      description: "Namespaces that are not application namespaces.",
    },
  },
};

/** Names of the application namespaces this stack creates. */
function applicationNamespaces(resources: PolicyResource[], exempt: string[]): PolicyResource[] {
  return ofKind(resources, "Namespace").filter((ns) => !exempt.includes(ns.props.metadata?.name));
}

function isInjected(namespace: Props): boolean {
  const labels = namespace.metadata?.labels ?? {};
  return labels["istio-injection"] === "enabled" || labels["istio.io/rev"] !== undefined;
}

/** A rule that matches any caller: empty, without `from`, or with a "*" principal or namespace. */
function allowsAnyone(rule: Props): boolean {
  if (!rule || Object.keys(rule).length === 0 || !rule.from || rule.from.length === 0) return true;
  return rule.from.some((f: Props) => {
    const source = f.source ?? {};
    return (
      (source.principals ?? []).includes("*") ||
      (source.namespaces ?? []).includes("*") ||
      Object.keys(source).length === 0
    );
  });
}

function routesOf(spec: Props): { kind: string; route: Props }[] {
  return ["http", "tcp", "tls"].flatMap((kind) => (spec[kind] ?? []).map((route: Props) => ({ kind, route })));
}

export const istioPolicies: AiMeshPolicy[] = [
  resourcePolicy({
    name: "istio-no-permissive-mtls",
    description: "No PeerAuthentication weakens mTLS to PERMISSIVE or DISABLE, port-level included.",
    remediationSteps: "Use mode STRICT; migrate plaintext clients into the mesh instead of relaxing mTLS.",
    enforcementLevel: "mandatory",
    types: [
      "kubernetes:security.istio.io/v1:PeerAuthentication",
      "kubernetes:security.istio.io/v1beta1:PeerAuthentication",
    ],
    validate: (props, _args, report) => {
      const mode = props.spec?.mtls?.mode;
      if (WEAK_MTLS.includes(mode)) report(`PeerAuthentication ${objectName(props)} sets mTLS mode ${mode}.`);
      for (const [port, setting] of Object.entries<Props>(props.spec?.portLevelMtls ?? {})) {
        if (WEAK_MTLS.includes(setting?.mode)) {
          report(`PeerAuthentication ${objectName(props)} sets mTLS mode ${setting.mode} on port ${port}.`);
        }
      }
    },
  }),
  stackPolicy({
    name: "istio-mesh-wide-strict-mtls",
    description: "A mesh-wide PeerAuthentication in the root namespace enforces STRICT mTLS.",
    remediationSteps:
      "Create PeerAuthentication `default` in the mesh root namespace with spec.mtls.mode STRICT and no selector.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { rootNamespace: { type: "string", default: "istio-system" } } },
    validate: (resources, args, report) => {
      const usesIstio = resources.some((r) => /^kubernetes:(networking|security)\.istio\.io\//.test(r.type));
      if (!usesIstio) return;
      const { rootNamespace } = args.getConfig<{ rootNamespace: string }>();
      const meshWide = ofKind(resources, "PeerAuthentication").some(
        (p) =>
          p.props.metadata?.namespace === rootNamespace &&
          !p.props.spec?.selector &&
          p.props.spec?.mtls?.mode === "STRICT",
      );
      if (!meshWide) report(`No mesh-wide STRICT PeerAuthentication in ${rootNamespace}.`);
    },
  }),
  stackPolicy({
    name: "istio-namespace-default-deny",
    description: "Every application namespace has an allow-nothing AuthorizationPolicy.",
    remediationSteps: "Add an AuthorizationPolicy with `spec: {}` to the namespace, then ALLOW policies per service.",
    enforcementLevel: "mandatory",
    configSchema: exemptSchema,
    validate: (resources, args, report) => {
      const { exemptNamespaces } = args.getConfig<{ exemptNamespaces: string[] }>();
      const policies = ofKind(resources, "AuthorizationPolicy");
      for (const ns of applicationNamespaces(resources, exemptNamespaces)) {
        const name = ns.props.metadata?.name;
        const denyAll = policies.some(
          (p) => p.props.metadata?.namespace === name && Object.keys(p.props.spec ?? {}).length === 0,
        );
        if (!denyAll) report(`Namespace ${name} has no allow-nothing AuthorizationPolicy.`, ns.urn);
      }
    },
  }),
  resourcePolicy({
    name: "istio-no-allow-all",
    description: "No ALLOW AuthorizationPolicy admits every caller.",
    remediationSteps: "Name callers in rules[].from[].source.principals (cluster.local/ns/<ns>/sa/<sa>), never '*'.",
    enforcementLevel: "mandatory",
    types: [
      "kubernetes:security.istio.io/v1:AuthorizationPolicy",
      "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy",
    ],
    validate: (props, _args, report) => {
      const spec = props.spec ?? {};
      if ((spec.action ?? "ALLOW") !== "ALLOW" || spec.rules === undefined) return;
      spec.rules.forEach((rule: Props, i: number) => {
        if (allowsAnyone(rule)) report(`AuthorizationPolicy ${objectName(props)} rule ${i} allows any caller.`);
      });
    },
  }),
  resourcePolicy({
    name: "istio-destination-rule-tls",
    description: "No DestinationRule disables TLS.",
    remediationSteps: "Use tls.mode ISTIO_MUTUAL (or leave it to auto mTLS).",
    enforcementLevel: "mandatory",
    types: [
      "kubernetes:networking.istio.io/v1:DestinationRule",
      "kubernetes:networking.istio.io/v1beta1:DestinationRule",
    ],
    validate: (props, _args, report) => {
      const policies: Props[] = [
        props.spec?.trafficPolicy,
        ...(props.spec?.trafficPolicy?.portLevelSettings ?? []),
        ...(props.spec?.subsets ?? []).map((s: Props) => s.trafficPolicy),
      ];
      if (policies.some((p) => p?.tls?.mode === "DISABLE"))
        report(`DestinationRule ${objectName(props)} disables TLS.`);
    },
  }),
  stackPolicy({
    name: "istio-sidecar-injection",
    description: "Application namespaces have sidecar injection and no workload opts out.",
    remediationSteps:
      'Label the namespace istio-injection=enabled (or istio.io/rev) and drop sidecar.istio.io/inject: "false".',
    enforcementLevel: "mandatory",
    configSchema: exemptSchema,
    validate: (resources, args, report) => {
      const { exemptNamespaces } = args.getConfig<{ exemptNamespaces: string[] }>();
      const namespaces = applicationNamespaces(resources, exemptNamespaces);
      for (const ns of namespaces.filter((n) => !isInjected(n.props))) {
        report(`Namespace ${ns.props.metadata?.name} does not enable sidecar injection.`, ns.urn);
      }
      const names = namespaces.map((n) => n.props.metadata?.name);
      for (const w of resources.filter((r) => WORKLOAD_TYPES.includes(r.type))) {
        if (!names.includes(w.props.metadata?.namespace)) continue;
        const template = w.props.spec?.template?.metadata ?? {};
        const optOut = [template.labels, template.annotations].some((m) => m?.["sidecar.istio.io/inject"] === "false");
        if (optOut) report(`${w.props.kind} ${objectName(w.props)} opts out of sidecar injection.`, w.urn);
      }
    },
  }),
  resourcePolicy({
    name: "istio-route-weights-sum-to-100",
    description: "Every VirtualService route with more than one destination splits exactly 100%.",
    remediationSteps: "Make the weights of the route's destinations add up to 100.",
    enforcementLevel: "mandatory",
    types: [
      "kubernetes:networking.istio.io/v1:VirtualService",
      "kubernetes:networking.istio.io/v1beta1:VirtualService",
    ],
    validate: (props, _args, report) => {
      routesOf(props.spec ?? {}).forEach(({ kind, route }, i) => {
        const destinations: Props[] = route.route ?? [];
        if (destinations.length < 2) return;
        const sum = destinations.reduce((total, d) => total + (d.weight ?? 0), 0);
        if (sum !== 100) {
          report(
            `VirtualService ${objectName(props)} ${kind} route ${route.name ?? i} weights sum to ${sum}, must be 100.`,
          );
        }
      });
    },
  }),
  stackPolicy({
    name: "istio-envoyfilter-applied",
    description:
      "Every EnvoyFilter passes istioctl's EnvoyPatchAnalyzer (IST0151-IST0155): no patch that Istio may skip for want of a priority, nor an operation its target does not take.",
    remediationSteps:
      "Give an EnvoyFilter with INSERT_BEFORE, INSERT_AFTER, REPLACE or REMOVE a non-zero spec.priority (or use INSERT_FIRST / ADD); use REPLACE only on HTTP_FILTER, NETWORK_FILTER, VIRTUAL_HOST and ADD / REMOVE not on ROUTE_CONFIGURATION or HTTP_ROUTE.",
    // Mandatory: the patches this program writes are rate limits; one Istio may silently skip is no limit.
    enforcementLevel: "mandatory",
    validate: (resources, _args, report) => {
      // All of them at once: IST0155 looks across filters.
      const filters = ofKind(resources, "EnvoyFilter");
      for (const finding of envoyFilterFindings(filters.map((f) => f.props))) {
        report(finding.message, filters[finding.filterIndex].urn);
      }
    },
  }),
  resourcePolicy({
    name: "istio-no-fault-injection-in-production",
    description: "Production stacks inject no faults.",
    remediationSteps: "Remove faultInjection from the service config of production stacks.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { production: { type: "boolean", default: false } } },
    types: [
      "kubernetes:networking.istio.io/v1:VirtualService",
      "kubernetes:networking.istio.io/v1beta1:VirtualService",
    ],
    validate: (props, args, report) => {
      if (!args.getConfig<{ production: boolean }>().production) return;
      if ((props.spec?.http ?? []).some((r: Props) => r.fault)) {
        report(`VirtualService ${objectName(props)} injects faults in a production stack.`);
      }
    },
  }),
];
