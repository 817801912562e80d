// What faces the internet: each Istio gateway chart release whose Service is an internet-facing load
// balancer, its ports (TLS at the load balancer or plain), what each plain port does (redirect to
// https or serve), the hosts it answers, and whether it asks who calls. Read from the releases'
// values and the Istio and Gateway API objects bound to their pods; shared by the front-door
// policies and the plan's table of addresses.
import { LB_ANNOTATIONS, internetFacing, tlsListener } from "./shared/loadBalancer";
import { ofKind, type Props } from "./helpers";

/** The least a reader needs of a resource: `PolicyResource` and the plan's records both fit. */
export interface Resource {
  type: string;
  props: Props;
}

export interface Door {
  /** The Service port (what the load balancer opens). */
  port: number;
  /** The pod port behind it (what istiod listens on and AuthorizationPolicy ports name). */
  targetPort: number;
  /** TLS at the load balancer, or plain TCP through it. */
  tls: boolean;
  /** What the gateway does on a plain port: every request redirected to https, HTTP served, or nothing bound. */
  plain?: "redirect" | "serves" | "unbound";
  hosts: string[];
}

export interface Gateway {
  namespace: string;
  name: string;
  /** Its Service is a LoadBalancer that faces the internet. */
  internetFacing: boolean;
  certificate?: string;
  doors: Door[];
  /** A Gateway API Gateway on it takes routes to InferencePools. */
  servesModels: boolean;
  /** RequestAuthentication issuers that select its pods. */
  issuers: string[];
  /** Ports that serve (TLS, or plain HTTP that does more than redirect) whose requests without a principal no DENY refuses. */
  anonymousPorts: number[];
  /** A DENY AuthorizationPolicy refuses requests without a principal (a verified token) on every port that serves. */
  refusesAnonymous: boolean;
  /** Per-client request limits of EnvoyFilters on its pods (descriptors without a value), as "N per 60s". */
  clientLimits: string[];
}

const GATEWAY_CHART = /(^|\/)gateway(-v?[\d.]+\.tgz)?$/;
const CHART_PORTS = [
  { name: "status-port", port: 15021, targetPort: 15021 },
  { name: "http2", port: 80, targetPort: 80 },
  { name: "https", port: 443, targetPort: 443 },
];

function isGatewayRelease(r: Resource): boolean {
  return r.type === "kubernetes:helm.sh/v3:Release" && GATEWAY_CHART.test(String(r.props.chart ?? ""));
}

/** The gateway chart's pod labels: app and istio from the release name unless values.labels set them. */
function podLabels(release: Props): Record<string, string> {
  const labels: Record<string, string> = release.values?.labels ?? {};
  const name = String(release.values?.name ?? release.name);
  return { app: name, istio: name.replace(/^istio-/, ""), ...labels };
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function inNamespace(r: Resource, namespace: string): boolean {
  return r.props.metadata?.namespace === namespace;
}

/** A route whose every rule only redirects to https. */
function onlyRedirects(route: Props): boolean {
  const rules: Props[] = route.spec?.rules ?? [];
  return (
    rules.length > 0 &&
    rules.every(
      (rule) =>
        (rule.backendRefs ?? []).length === 0 &&
        (rule.filters ?? []).some((f: Props) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https"),
    )
  );
}

/** Whether a route in `namespace` may attach to a listener (allowedRoutes; Same by default). */
function allowed(listener: Props, gatewayNamespace: string, routeNamespace: string): boolean {
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  if (from === "All") return true;
  if (from === "Same") return routeNamespace === gatewayNamespace;
  const match = listener.allowedRoutes?.namespaces?.selector?.matchLabels ?? {};
  return selects(match, { "kubernetes.io/metadata.name": routeNamespace });
}

interface Binding {
  port: number;
  hosts: string[];
  redirects: boolean;
}

/** Istio Gateway servers on the release's pods, by Service port. */
function istioBindings(resources: Resource[], labels: Record<string, string>): Binding[] {
  return ofKind(resources, "Gateway")
    .filter((g) => String(g.props.apiVersion).startsWith("networking.istio.io/"))
    .filter((g) => selects(g.props.spec?.selector, labels))
    .flatMap((g) =>
      (g.props.spec?.servers ?? []).map((s: Props) => ({
        port: s.port?.number,
        hosts: s.hosts ?? [],
        redirects: s.tls?.httpsRedirect === true,
      })),
    );
}

/** Gateway API listeners on the release's Service (Istio's manual deployment: an address naming it). */
function gatewayApiBindings(resources: Resource[], namespace: string, name: string) {
  const service = `${name}.${namespace}.svc`;
  const routes = ofKind(resources, "HTTPRoute");
  const gateways = ofKind(resources, "Gateway").filter(
    (g) =>
      String(g.props.apiVersion).startsWith("gateway.networking.k8s.io/") &&
      (g.props.spec?.addresses ?? []).some((a: Props) => String(a.value).startsWith(service)),
  );
  let servesModels = false;
  const bindings: Binding[] = gateways.flatMap((g) => {
    const gwNamespace = g.props.metadata?.namespace;
    return (g.props.spec?.listeners ?? []).map((l: Props) => {
      const attached = routes.filter((r) => {
        const routeNamespace = r.props.metadata?.namespace;
        return (
          allowed(l, gwNamespace, routeNamespace) &&
          (r.props.spec?.parentRefs ?? []).some(
            (p: Props) =>
              p.name === g.props.metadata?.name &&
              (p.namespace ?? routeNamespace) === gwNamespace &&
              (p.sectionName === undefined || p.sectionName === l.name),
          )
        );
      });
      const models = attached.some((r) =>
        (r.props.spec?.rules ?? []).some((rule: Props) =>
          (rule.backendRefs ?? []).some((b: Props) => b.kind === "InferencePool"),
        ),
      );
      servesModels ||= models;
      return {
        port: l.port,
        hosts: [l.hostname ?? "*"],
        redirects: attached.length > 0 && attached.every((r) => onlyRedirects(r.props)),
      };
    });
  });
  return { bindings, servesModels };
}

/** Whether a rule's sources are exactly the requests without a principal (notRequestPrincipals "*", nothing else). */
function onlyAnonymous(rule: Props): boolean {
  return (rule.from ?? []).some((f: Props) => {
    const source: Props = f.source ?? {};
    return Object.keys(source).join() === "notRequestPrincipals" && source.notRequestPrincipals.includes("*");
  });
}

/**
 * Whether a DENY rule refuses every request without a principal on this pod port: no `when` (any
 * condition lets the rest through), and a `to` that is absent or has an operation that names
 * nothing but ports and takes this one in (paths, methods or hosts would leave others open).
 */
function deniesAnonymousOn(rule: Props, podPort: number): boolean {
  if ((rule.when ?? []).length > 0 || !onlyAnonymous(rule)) return false;
  const to: Props[] = rule.to ?? [];
  if (to.length === 0) return true;
  const port = String(podPort);
  return to.some(({ operation = {} }: Props) => {
    const narrowed = Object.keys(operation).some((key) => key !== "ports" && key !== "notPorts");
    return !narrowed && (operation.ports ?? [port]).includes(port) && !(operation.notPorts ?? []).includes(port);
  });
}

function authentication(resources: Resource[], namespace: string, labels: Record<string, string>, doors: Door[]) {
  const selecting = (kind: string) =>
    ofKind(resources, kind).filter(
      (r) => inNamespace(r, namespace) && selects(r.props.spec?.selector?.matchLabels, labels),
    );
  const issuers = selecting("RequestAuthentication").flatMap((r) =>
    (r.props.spec?.jwtRules ?? []).map((rule: Props) => String(rule.issuer)),
  );
  const denyRules: Props[] = selecting("AuthorizationPolicy")
    .filter((p) => p.props.spec?.action === "DENY")
    .flatMap((p) => p.props.spec?.rules ?? []);
  const anonymousPorts = doors
    .filter((door) => door.tls || door.plain === "serves")
    .filter((door) => !denyRules.some((rule) => deniesAnonymousOn(rule, door.targetPort)))
    .map((door) => door.port);
  const clientLimits = ofKind(resources, "EnvoyFilter")
    .filter((f) => inNamespace(f, namespace) && selects(f.props.spec?.workloadSelector?.labels, labels))
    .flatMap((f) => f.props.spec?.configPatches ?? [])
    .map((patch: Props) => patch.patch?.value?.typed_config)
    .filter((config: Props | undefined) => String(config?.["@type"] ?? "").endsWith(".LocalRateLimit"))
    .flatMap((config: Props) => config.descriptors ?? [])
    .filter((d: Props) => (d.entries ?? []).some((e: Props) => !e.value))
    .map((d: Props) => `${d.token_bucket?.tokens_per_fill ?? 1} per ${d.token_bucket?.fill_interval}`);
  return { issuers, anonymousPorts, refusesAnonymous: anonymousPorts.length === 0, clientLimits };
}

/** Every gateway chart release of the stack, with its doors. */
export function gateways(resources: Resource[]): Gateway[] {
  return resources.filter(isGatewayRelease).map((release) => {
    const props = release.props;
    const namespace = String(props.namespace);
    const name = String(props.name);
    const labels = podLabels(props);
    const service: Props = props.values?.service ?? {};
    const annotations: Record<string, string> = service.annotations ?? {};
    const loadBalancer = (service.type ?? "LoadBalancer") === "LoadBalancer";
    const istio = istioBindings(resources, labels);
    const api = gatewayApiBindings(resources, namespace, name);
    const bindings = [...istio, ...api.bindings];
    type Port = { name?: string; port: number; targetPort?: number; protocol?: string };
    const doors: Door[] = (service.ports ?? CHART_PORTS).map((p: Port): Door => {
      const tls = tlsListener(annotations, p);
      const bound = bindings.filter((b) => b.port === p.port);
      const hosts = [...new Set(bound.flatMap((b) => b.hosts))];
      const door = { port: p.port, targetPort: p.targetPort ?? p.port, tls };
      if (tls) return { ...door, hosts };
      const plain = bound.length === 0 ? "unbound" : bound.every((b) => b.redirects) ? "redirect" : "serves";
      return { ...door, plain, hosts };
    });
    return {
      namespace,
      name,
      internetFacing: loadBalancer && internetFacing(annotations),
      certificate: annotations[LB_ANNOTATIONS.sslCert],
      doors,
      servesModels: api.servesModels,
      ...authentication(resources, namespace, labels, doors),
    };
  });
}
