// Requires a valid JWT on every request through a gateway: RequestAuthentication checks tokens that
// come, and a DENY policy refuses requests that bring none (RequestAuthentication alone lets them by).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { IstioConfig } from "../config";

export type JwtConfig = NonNullable<IstioConfig["ingress"]["jwt"]>;

export function edgeJwt(
  name: string,
  jwt: JwtConfig,
  gateway: { namespace: string; selector: Record<string, string> },
  opts: pulumi.CustomResourceOptions,
): void {
  const meta = (objectName: string) => ({ name: objectName, namespace: gateway.namespace });
  new k8s.apiextensions.CustomResource(
    `${name}-jwt`,
    {
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: meta("edge-jwt"),
      spec: {
        selector: { matchLabels: gateway.selector },
        jwtRules: [
          {
            issuer: jwt.issuer,
            jwksUri: jwt.jwksUri,
            ...(jwt.audiences.length > 0 ? { audiences: jwt.audiences } : {}),
            forwardOriginalToken: true,
          },
        ],
      },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    `${name}-require-jwt`,
    {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: meta("edge-require-jwt"),
      spec: {
        selector: { matchLabels: gateway.selector },
        action: "DENY",
        rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
      },
    },
    opts,
  );
}
