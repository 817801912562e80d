// The front doors as the program builds them: TLS at the NLB onto a port of the gateway's own, port 80
// that only redirects at the web edge and is closed at the LLM gateway, tokens required where the
// gateway serves, a request limit per client at the LLM gateway, and the config keys' errors.
import { deploy, type RunResult } from "../plan/engine";
import { at, dependsOn, one, ofType } from "../plan/query";
import { configProblems, devRawWith, serviceOf } from "./support/configFixtures";
import { gatewayUrl } from "../components/mesh/gatewayUrl";
import { parseConfig } from "../components/config";
import { edgeRoutes } from "../components/http/traffic";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const ENVOY_FILTER = "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter";
const AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy";

describe("front doors of the dev stack", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });

  it("opens no port 80 on the LLM gateway: 443 onto 8443 alone, no status port, no redirect route", () => {
    const values = one(run.resources, RELEASE, "inference-gateway-deployment").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(values.service.ports).toEqual([{ name: "https", port: 443, protocol: "TCP", targetPort: 8443 }]);
    expect(values.service.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toBe(
      "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000002",
    );
    expect(ofType(run.resources, HTTP_ROUTE).map((r) => at(r.inputs, "metadata.name"))).toEqual(["chat"]);
    // The web ingress keeps port 80 for browsers, which only redirects.
    const web = one(run.resources, RELEASE, "mesh-gateway").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(web.service.ports).toEqual([
      { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
      { name: "https", port: 443, protocol: "TCP", targetPort: 8443 },
    ]);
  });

  it("requires a token on every port of the LLM gateway", () => {
    const auth = one(run.resources, "kubernetes:security.istio.io/v1:RequestAuthentication", "inference-gateway-jwt");
    expect(auth.inputs.spec).toEqual({
      selector: { matchLabels: { istio: "llm-gateway" } },
      jwtRules: [
        {
          issuer: "https://auth.dev.example.com/",
          jwksUri: "https://auth.dev.example.com/.well-known/jwks.json",
          audiences: ["llm.dev.example.com"],
          forwardOriginalToken: true,
        },
      ],
    });
    expect(one(run.resources, AUTHZ, "inference-gateway-require-jwt").inputs.spec).toEqual({
      selector: { matchLabels: { istio: "llm-gateway" } },
      action: "DENY",
      rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
    });
  });

  it("limits each client by its verified token's subject, with a bucket per subject and a priority", () => {
    const filter = one(run.resources, ENVOY_FILTER, "inference-gateway-client-rate-limit");
    expect(filter.inputs.metadata).toEqual({ name: "client-rate-limit", namespace: "llm-gateway" });
    const spec = filter.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(spec.workloadSelector).toEqual({ labels: { istio: "llm-gateway" } });
    expect(spec.priority).toBe(10);
    const [insert, actions] = spec.configPatches;
    expect(insert.match.listener.filterChain.filter.subFilter).toEqual({ name: "envoy.filters.http.router" });
    expect(insert.patch.operation).toBe("INSERT_BEFORE");
    const bucket = { max_tokens: 80, tokens_per_fill: 60, fill_interval: "60s" };
    expect(insert.patch.value.typed_config).toMatchObject({
      token_bucket: bucket,
      always_consume_default_token_bucket: false,
      max_dynamic_descriptors: 10_000,
      descriptors: [{ entries: [{ key: "client", value: "" }], token_bucket: bucket }],
    });
    expect(insert.patch.value.typed_config.filter_enforced.default_value).toEqual({
      numerator: 100,
      denominator: "HUNDRED",
    });
    expect(actions).toEqual({
      applyTo: "VIRTUAL_HOST",
      match: { context: "GATEWAY" },
      patch: {
        operation: "MERGE",
        value: {
          rate_limits: [
            {
              actions: [
                {
                  metadata: {
                    descriptor_key: "client",
                    metadata_key: {
                      key: "envoy.filters.http.jwt_authn",
                      path: [{ key: "payload" }, { key: "sub" }],
                    },
                    source: "DYNAMIC",
                  },
                },
              ],
            },
          ],
        },
      },
    });
    expect(dependsOn(filter, one(run.resources, RELEASE, "inference-gateway-deployment"))).toBe(true);
  });
});

describe("front doors without TLS (the local stack, NodePorts)", () => {
  let run: RunResult;
  beforeAll(async () => {
    const jwt = { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" };
    run = await deploy({ stack: "local", config: { "ai-mesh:llm": { gateway: { jwt } } } });
  });

  it("serves on port 80 with no redirect route, and keeps the status port on the NodePort Service", () => {
    expect(ofType(run.resources, HTTP_ROUTE).map((r) => at(r.inputs, "metadata.name"))).toEqual(["chat"]);
    const gateway = one(run.resources, "kubernetes:gateway.networking.k8s.io/v1:Gateway");
    expect((gateway.inputs.spec as { listeners: unknown[] }).listeners).toEqual([
      {
        name: "http",
        port: 80,
        protocol: "HTTP",
        allowedRoutes: {
          namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "ai" } } },
        },
      },
    ]);
    const edge = one(run.resources, "kubernetes:networking.istio.io/v1:Gateway");
    expect((edge.inputs.spec as { servers: unknown[] }).servers).toEqual([
      { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] },
    ]);
    // Port 80 serves, so the edge routes match no port.
    const edgeRoute = one(run.resources, "kubernetes:networking.istio.io/v1:VirtualService", "platform-edge-route");
    expect((edgeRoute.inputs.spec as { http: { match?: unknown }[] }).http.map((r) => r.match)).toEqual([undefined]);
    const values = one(run.resources, RELEASE, "mesh-gateway").inputs.values as { service: { ports: unknown[] } };
    expect(values.service.ports).toEqual([
      { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
      { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
    ]);
  });

  it("requires a token on every port when port 80 serves, and sets no client limit unless configured", () => {
    expect(one(run.resources, AUTHZ, "inference-gateway-require-jwt").inputs.spec).toEqual({
      selector: { matchLabels: { istio: "llm-gateway" } },
      action: "DENY",
      rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
    });
    expect(ofType(run.resources, ENVOY_FILTER).map((r) => r.name)).not.toContain("inference-gateway-client-rate-limit");
  });
});

describe("llm.clientRateLimit config", () => {
  it("needs llm.gateway.jwt: the client is the token's subject", () => {
    expect(configProblems(devRawWith((r) => delete r.llm.gateway.jwt))).toEqual([
      "llm.clientRateLimit: counts requests per client by the subject of its token, but llm.gateway.jwt is not set: set it",
    ]);
  });

  it("refuses a burst below the minute's requests, and values that are not positive integers", () => {
    expect(configProblems(devRawWith((r) => (r.llm.clientRateLimit = { requestsPerMinute: 60, burst: 30 })))).toEqual([
      "llm.clientRateLimit.burst: 30 is below requestsPerMinute 60: a client could never make its minute's requests; leave it out (it defaults to requestsPerMinute) or raise it",
    ]);
    expect(configProblems(devRawWith((r) => (r.llm.clientRateLimit = { requestsPerMinute: 0 })))).toEqual([
      "llm.clientRateLimit.requestsPerMinute: Too small: expected number to be >=1 (got 0)",
    ]);
  });
});

describe("gateway config: the load balancer annotations the program owns, a certificate needs a load balancer", () => {
  it("refuses user annotations that set a key the program controls, naming the key, the value and what to use", () => {
    const annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "80, 443",
      "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
    };
    expect(configProblems(devRawWith((r) => (r.istio.ingress.annotations = annotations)))).toEqual([
      'istio.ingress.annotations: "service.beta.kubernetes.io/aws-load-balancer-scheme: internal" is refused: the in-tree service controller that makes this NLB never reads it; use istio.ingress.scheme (internal or internet-facing)',
      'istio.ingress.annotations: "service.beta.kubernetes.io/aws-load-balancer-ssl-ports: 80, 443" is refused: the program sets it ("https": the port-443 listener is TLS when certificateArn is set, nothing else); leave it out',
    ]);
    const llm = {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-internal": "false",
      "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "false",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:us-west-2:123456789012:certificate/x",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-2016-08",
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "ssl",
    };
    expect(configProblems(devRawWith((r) => (r.llm.gateway.annotations = llm)))).toEqual([
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-type: external" is refused: the program sets it ("nlb": an NLB from the in-tree service controller); leave it out',
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-internal: false" is refused: the program sets it from llm.gateway.scheme; use llm.gateway.scheme: internal',
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled: false" is refused: the program sets it ("true"); leave it out',
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:us-west-2:123456789012:certificate/x" is refused: the program sets it from llm.gateway.certificateArn; use llm.gateway.certificateArn',
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy: ELBSecurityPolicy-2016-08" is refused: the program sets it (TLS 1.3 and 1.2 only, when certificateArn is set); leave it out',
      'llm.gateway.annotations: "service.beta.kubernetes.io/aws-load-balancer-backend-protocol: ssl" is refused: the program sets it ("tcp": the gateway takes what the NLB decrypted); leave it out',
    ]);
  });

  it("refuses certificateArn on a gateway that is not a LoadBalancer Service, the ingress and the LLM gateway", () => {
    const problems = configProblems(
      devRawWith((r) => {
        r.istio.ingress.serviceType = "NodePort";
        r.llm.gateway.serviceType = "ClusterIP";
      }),
    );
    expect(problems).toEqual([
      "istio.ingress.certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000001 is set, but serviceType is NodePort: only an AWS load balancer (serviceType LoadBalancer) terminates TLS with an ACM certificate; remove certificateArn or set serviceType: LoadBalancer",
      "llm.gateway.certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000002 is set, but serviceType is ClusterIP: only an AWS load balancer (serviceType LoadBalancer) terminates TLS with an ACM certificate; remove certificateArn or set serviceType: LoadBalancer",
    ]);
  });
});

describe("edge routes behind TLS at the NLB", () => {
  it("match port 443 on every route, the specific paths first and the catch-all last", () => {
    const web = serviceOf(parseConfig(devRawWith(() => undefined)), "web");
    const target = { host: "web.ai.svc.cluster.local", service: web, paths: ["/*", "/api/*", "/healthz"] };
    expect(edgeRoutes([target], 443).map((route) => route.match)).toEqual([
      [
        { uri: { prefix: "/api/" }, port: 443 },
        { uri: { exact: "/healthz" }, port: 443 },
      ],
      [{ port: 443 }],
    ]);
    expect(edgeRoutes([target]).map((route) => route.match)).toEqual([
      [{ uri: { prefix: "/api/" } }, { uri: { exact: "/healthz" } }],
      undefined,
    ]);
  });
});

describe("gateway URLs", () => {
  it("say https wherever the load balancer terminates TLS, a wildcard host included", () => {
    const ingress = parseConfig(devRawWith((r) => (r.istio.ingress.hosts = ["*"]))).istio.ingress;
    expect(gatewayUrl(ingress, { namespace: "istio-ingress", name: "istio-ingressgateway" })).toBe(
      "https://<load balancer hostname> (kubectl -n istio-ingress get svc istio-ingressgateway)",
    );
  });
});
