// The front-door policies on hand-made resources: each with stacks that pass and stacks that fail
// with their exact messages, and the gateway reader both share.
import { policies } from "../policy/policies";
import { gateways } from "../policy/gateways";
import { internetFacing, tlsListener } from "../policy/shared/loadBalancer";
import { evaluatePolicies } from "../plan/policyEngine";
import type { RecordedResource } from "../plan/recorder";
import { resource } from "./support/recorded";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form resource inputs

const k8s = (kind: string, apiVersion: string, spec: Json, metadata: Json) =>
  resource(`kubernetes:${apiVersion}:${kind}`, { apiVersion, kind, metadata, spec });

const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const NLB = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" };
const TLS = {
  ...NLB,
  "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": CERT,
  "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
};
const PORTS = [
  { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
  { name: "https", port: 443, protocol: "TCP", targetPort: 8443 },
];

/** A release of the istio gateway chart. */
const release = (name: string, namespace: string, service: Json, labels: Json = {}) =>
  resource("kubernetes:helm.sh/v3:Release", {
    name,
    namespace,
    chart: "gateway",
    version: "1.30.3",
    values: { labels, service: { ports: PORTS, ...service } },
  });
const istioGateway = (selector: Json, servers: Json[]) =>
  k8s("Gateway", "networking.istio.io/v1", { selector, servers }, { name: "edge", namespace: "ai" });
const server = (port: number, redirect = false) => ({
  port: { number: port, name: `p${port}`, protocol: "HTTP" },
  hosts: ["ai.example.com"],
  ...(redirect ? { tls: { httpsRedirect: true } } : {}),
});

/** The web edge: an ingress gateway release and its Istio Gateway. */
const web = (service: Json, servers: Json[]) => [
  release("istio-ingressgateway", "istio-ingress", service),
  istioGateway({ istio: "ingressgateway" }, servers),
];

const LLM_SELECTOR = { istio: "llm-gateway" };
const apiGateway = (listeners: Json[]) =>
  k8s(
    "Gateway",
    "gateway.networking.k8s.io/v1",
    {
      gatewayClassName: "istio",
      addresses: [{ type: "Hostname", value: "llm-gateway.llm-gateway.svc.cluster.local" }],
      listeners,
    },
    { name: "llm", namespace: "llm-gateway" },
  );
const listener = (name: string, port: number, from: string) => ({
  name,
  port,
  protocol: "HTTP",
  hostname: "llm.example.com",
  allowedRoutes: {
    namespaces:
      from === "Same" ? { from } : { from, selector: { matchLabels: { "kubernetes.io/metadata.name": "ai" } } },
  },
});
const parent = (sectionName?: string) => ({
  group: "gateway.networking.k8s.io",
  kind: "Gateway",
  name: "llm",
  namespace: "llm-gateway",
  ...(sectionName ? { sectionName } : {}),
});
const modelRoute = k8s(
  "HTTPRoute",
  "gateway.networking.k8s.io/v1",
  { parentRefs: [parent()], rules: [{ backendRefs: [{ kind: "InferencePool", name: "chat-v1", weight: 100 }] }] },
  { name: "chat", namespace: "ai" },
);
const redirectRoute = k8s(
  "HTTPRoute",
  "gateway.networking.k8s.io/v1",
  {
    parentRefs: [parent("http")],
    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
  },
  { name: "https-redirect", namespace: "llm-gateway" },
);
const requestAuthentication = k8s(
  "RequestAuthentication",
  "security.istio.io/v1",
  {
    selector: { matchLabels: LLM_SELECTOR },
    jwtRules: [{ issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" }],
  },
  { name: "edge-jwt", namespace: "llm-gateway" },
);
const denyAnonymous = k8s(
  "AuthorizationPolicy",
  "security.istio.io/v1",
  {
    selector: { matchLabels: LLM_SELECTOR },
    action: "DENY",
    rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notPorts: ["80"] } }] }],
  },
  { name: "edge-require-jwt", namespace: "llm-gateway" },
);
/** The LLM gateway with TLS at its NLB, port 80 redirecting, the model route on 443. */
const llm = (
  service: Json = { annotations: TLS },
  extra: RecordedResource[] = [requestAuthentication, denyAnonymous],
) => [
  release("llm-gateway", "llm-gateway", service, LLM_SELECTOR),
  apiGateway([listener("http", 80, "Same"), listener("https", 443, "Selector")]),
  modelRoute,
  redirectRoute,
  ...extra,
];

function violations(policy: string, resources: RecordedResource[]): string[] {
  const only = policies.filter((p) => p.name === policy);
  expect(only).toHaveLength(1);
  return evaluatePolicies(resources, {}, only).violations.map((v) => v.message);
}

describe("gateway-internet-facing-tls", () => {
  const check = (resources: RecordedResource[]) => violations("gateway-internet-facing-tls", resources);

  it("passes TLS at the load balancer with port 80 redirecting, and gateways that do not face the internet", () => {
    expect(check([...web({ annotations: TLS }, [server(80, true), server(443)]), ...llm()])).toEqual([]);
    const internal = { ...NLB, "service.beta.kubernetes.io/aws-load-balancer-internal": "true" };
    expect(check(web({ annotations: internal }, [server(80)]))).toEqual([]);
    expect(check(web({ type: "NodePort", annotations: {} }, [server(80)]))).toEqual([]);
    // The AWS Load Balancer Controller makes an internal NLB unless told otherwise.
    expect(
      check(web({ annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external" } }, [])),
    ).toEqual([]);
  });

  it("flags an internet-facing load balancer without a certificate, the controller's included", () => {
    expect(check(web({ annotations: NLB }, [server(80)]))).toEqual([
      "Gateway istio-ingress/istio-ingressgateway faces the internet without TLS: its load balancer has no certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).",
    ]);
    const facing = {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    };
    expect(check(llm({ annotations: facing }))).toEqual([
      "Gateway llm-gateway/llm-gateway faces the internet without TLS: its load balancer has no certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).",
    ]);
  });

  it("flags a plain port that serves instead of redirecting: an Istio server, or a listener that takes model routes", () => {
    expect(check(web({ annotations: TLS }, [server(80), server(443)]))).toEqual([
      "Gateway istio-ingress/istio-ingressgateway faces the internet with plain HTTP on port 80 that does not redirect to https.",
    ]);
    const open = [
      release("llm-gateway", "llm-gateway", { annotations: TLS }, LLM_SELECTOR),
      apiGateway([listener("http", 80, "Selector"), listener("https", 443, "Selector")]),
      modelRoute,
      redirectRoute,
    ];
    expect(check(open)).toEqual([
      "Gateway llm-gateway/llm-gateway faces the internet with plain HTTP on port 80 that does not redirect to https.",
    ]);
  });
});

describe("llm-gateway-internet-facing-auth", () => {
  const check = (resources: RecordedResource[]) => violations("llm-gateway-internet-facing-auth", resources);
  const NO_DENY_443 =
    'LLM gateway llm-gateway/llm-gateway faces the internet and serves requests without a token on port 443: no DENY AuthorizationPolicy selecting its pods refuses requests without a principal there (notRequestPrincipals ["*"], no "when", and a "to" that is absent or takes in the port the pod listens on).';
  /** The LLM gateway with its token check and a DENY of this one rule. */
  const withDeny = (rule: Json) =>
    llm(undefined, [
      requestAuthentication,
      k8s(
        "AuthorizationPolicy",
        "security.istio.io/v1",
        { selector: { matchLabels: LLM_SELECTOR }, action: "DENY", rules: [rule] },
        { name: "edge-require-jwt", namespace: "llm-gateway" },
      ),
    ]);
  const anonymous = { from: [{ source: { notRequestPrincipals: ["*"] } }] };

  it("passes a DENY of requests without a principal that covers every serving port: no to, or the pod's 8443", () => {
    expect(check(withDeny(anonymous))).toEqual([]);
    expect(check(withDeny({ ...anonymous, to: [{ operation: { ports: ["8443"] } }] }))).toEqual([]);
    expect(check(withDeny({ ...anonymous, to: [{ operation: { notPorts: ["80"] } }] }))).toEqual([]);
  });

  it("flags a DENY that lets requests without a token through: a when, paths, the Service's port, a narrower source", () => {
    const when = { ...anonymous, when: [{ key: "request.headers[x-api]", values: ["1"] }] };
    expect(check(withDeny(when))).toEqual([NO_DENY_443]);
    expect(check(withDeny({ ...anonymous, to: [{ operation: { paths: ["/v1/chat/completions"] } }] }))).toEqual([
      NO_DENY_443,
    ]);
    // AuthorizationPolicy ports are the pod's: 443 is the Service's, the gateway listens on 8443.
    expect(check(withDeny({ ...anonymous, to: [{ operation: { ports: ["443"] } }] }))).toEqual([NO_DENY_443]);
    expect(check(withDeny({ ...anonymous, to: [{ operation: { notPorts: ["8443"] } }] }))).toEqual([NO_DENY_443]);
    const narrower = { from: [{ source: { notRequestPrincipals: ["*"], ipBlocks: ["10.0.0.0/8"] } }] };
    expect(check(withDeny(narrower))).toEqual([NO_DENY_443]);
  });

  it("names every serving port left open: port 80 too when it serves instead of redirecting", () => {
    const open = [
      release("llm-gateway", "llm-gateway", { annotations: TLS }, LLM_SELECTOR),
      apiGateway([listener("http", 80, "Selector"), listener("https", 443, "Selector")]),
      modelRoute,
      requestAuthentication,
      denyAnonymous,
    ];
    expect(check(open)).toEqual([
      'LLM gateway llm-gateway/llm-gateway faces the internet and serves requests without a token on port 80: no DENY AuthorizationPolicy selecting its pods refuses requests without a principal there (notRequestPrincipals ["*"], no "when", and a "to" that is absent or takes in the port the pod listens on).',
    ]);
  });

  it("passes a gateway that checks tokens and refuses requests without one, and gateways it does not cover", () => {
    expect(check(llm())).toEqual([]);
    // Not an LLM gateway: the web edge may stay open to browsers.
    expect(check(web({ annotations: TLS }, [server(80, true), server(443)]))).toEqual([]);
    // Not facing the internet.
    expect(check(llm({ type: "NodePort", annotations: {} }, []))).toEqual([]);
  });

  it("flags an internet-facing LLM gateway without a RequestAuthentication or without the DENY", () => {
    expect(check(llm(undefined, []))).toEqual([
      "LLM gateway llm-gateway/llm-gateway faces the internet without authentication: no RequestAuthentication selects its pods.",
      NO_DENY_443,
    ]);
    // RequestAuthentication alone lets requests without a token by.
    expect(check(llm(undefined, [requestAuthentication]))).toEqual([NO_DENY_443]);
  });
});

describe("the load balancer annotations, read as the in-tree service controller reads them", () => {
  const INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";
  const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
  const SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";

  it('makes an internal NLB when internal is anything but empty or "false", and never reads scheme', () => {
    expect(internetFacing({ ...NLB, [INTERNAL]: "true" })).toBe(false);
    expect(internetFacing({ ...NLB, [INTERNAL]: "0.0.0.0/0" })).toBe(false);
    expect(internetFacing({ ...NLB, [INTERNAL]: "false" })).toBe(true);
    expect(internetFacing({ ...NLB, [INTERNAL]: "" })).toBe(true);
    expect(internetFacing({ ...NLB, [SCHEME]: "internal" })).toBe(true);
  });

  it("flags an in-tree NLB that only says scheme internal: it faces the internet", () => {
    expect(
      violations("gateway-internet-facing-tls", web({ annotations: { ...NLB, [SCHEME]: "internal" } }, [server(80)])),
    ).toEqual([
      "Gateway istio-ingress/istio-ingressgateway faces the internet without TLS: its load balancer has no certificate (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).",
    ]);
  });

  it('splits ssl-ports on commas without trimming: "80, 443" leaves 443 plain; empty or * is every port', () => {
    const https = { name: "https", port: 443 };
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "80, 443" }, https)).toBe(false);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "80,443" }, https)).toBe(true);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "http2, https" }, https)).toBe(false);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "*" }, https)).toBe(true);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "" }, { name: "http2", port: 80 })).toBe(true);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "https" }, { name: "http2", port: 80 })).toBe(false);
    expect(tlsListener({ ...TLS, [SSL_PORTS]: "443" }, { ...https, protocol: "UDP" })).toBe(false);
    expect(tlsListener({ ...NLB, [SSL_PORTS]: "443" }, https)).toBe(false);
    const [gateway] = gateways(
      web({ annotations: { ...TLS, [SSL_PORTS]: "80, 443" } }, [server(80, true), server(443)]).map((r) => ({
        type: r.type,
        props: r.inputs,
      })),
    );
    expect(gateway.doors.map((d) => [d.port, d.tls, d.plain])).toEqual([
      [80, true, undefined],
      [443, false, "serves"],
    ]);
  });
});

describe("the gateway reader", () => {
  it("reads each door: TLS listeners, redirects, hosts, issuers and per-client limits", () => {
    const limit = k8s(
      "EnvoyFilter",
      "networking.istio.io/v1alpha3",
      {
        workloadSelector: { labels: LLM_SELECTOR },
        configPatches: [
          {
            patch: {
              value: {
                typed_config: {
                  "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                  descriptors: [
                    {
                      entries: [{ key: "client", value: "" }],
                      token_bucket: { tokens_per_fill: 60, fill_interval: "60s" },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
      { name: "client-rate-limit", namespace: "llm-gateway" },
    );
    const [gateway] = gateways(
      llm(undefined, [requestAuthentication, denyAnonymous, limit]).map((r) => ({ type: r.type, props: r.inputs })),
    );
    expect(gateway).toEqual({
      namespace: "llm-gateway",
      name: "llm-gateway",
      internetFacing: true,
      certificate: CERT,
      doors: [
        { port: 80, targetPort: 80, tls: false, plain: "redirect", hosts: ["llm.example.com"] },
        { port: 443, targetPort: 8443, tls: true, hosts: ["llm.example.com"] },
      ],
      servesModels: true,
      issuers: ["https://auth.example.com/"],
      anonymousPorts: [],
      refusesAnonymous: true,
      clientLimits: ["60 per 60s"],
    });
  });
});
