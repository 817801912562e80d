// Front doors: an internet-facing gateway terminates TLS and answers plain HTTP only with a redirect
// to https; an internet-facing LLM gateway asks who calls. Advisory by default, mandatory in
// policy/config/prod.json: a dev stack may still open a plain door while its certificate is on the way.
import { LB_ANNOTATIONS } from "./shared/loadBalancer";
import { gateways } from "./gateways";
import { stackPolicy, type AiMeshPolicy } from "./helpers";

export const frontDoorPolicies: AiMeshPolicy[] = [
  stackPolicy({
    name: "gateway-internet-facing-tls",
    description:
      "An internet-facing gateway's load balancer terminates TLS, and its plain-HTTP ports only redirect to https.",
    remediationSteps:
      "Set certificateArn (an ACM certificate) on istio.ingress / llm.gateway: the NLB then terminates TLS on 443 and port 80 only redirects.",
    enforcementLevel: "advisory",
    validate: (resources, _args, report) => {
      for (const gateway of gateways(resources).filter((g) => g.internetFacing)) {
        const name = `${gateway.namespace}/${gateway.name}`;
        if (!gateway.certificate) {
          report(
            `Gateway ${name} faces the internet without TLS: its load balancer has no certificate (${LB_ANNOTATIONS.sslCert}).`,
          );
          continue;
        }
        for (const door of gateway.doors.filter((d) => d.plain === "serves")) {
          report(
            `Gateway ${name} faces the internet with plain HTTP on port ${door.port} that does not redirect to https.`,
          );
        }
      }
    },
  }),
  stackPolicy({
    name: "llm-gateway-internet-facing-auth",
    description:
      "An internet-facing LLM gateway validates bearer tokens (RequestAuthentication) and refuses requests without one (DENY without a principal).",
    remediationSteps:
      "Set llm.gateway.jwt ({ issuer, jwksUri, audiences }): a RequestAuthentication and a DENY AuthorizationPolicy for requests without a principal then select the gateway's pods.",
    enforcementLevel: "advisory",
    validate: (resources, _args, report) => {
      for (const gateway of gateways(resources).filter((g) => g.internetFacing && g.servesModels)) {
        const name = `${gateway.namespace}/${gateway.name}`;
        if (gateway.issuers.length === 0) {
          report(
            `LLM gateway ${name} faces the internet without authentication: no RequestAuthentication selects its pods.`,
          );
        }
        if (!gateway.refusesAnonymous) {
          const ports = gateway.anonymousPorts.length === 1 ? "port" : "ports";
          report(
            `LLM gateway ${name} faces the internet and serves requests without a token on ${ports} ${gateway.anonymousPorts.join(", ")}: no DENY AuthorizationPolicy selecting its pods refuses requests without a principal there (notRequestPrincipals ["*"], no "when", and a "to" that is absent or takes in the port the pod listens on).`,
          );
        }
      }
    },
  }),
];
