// Requires a valid JWT on every request through a gateway: RequestAuthentication checks tokens that
// come, and a DENY policy refuses requests that bring none (RequestAuthentication alone lets them by).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { IstioConfig } from "../config";
import { HTTP_PORT } from "./frontDoor";

export type JwtConfig = NonNullable<IstioConfig["ingress"]["jwt"]>;

/**
 * `redirectOnly`: the gateway's port 80 only redirects to https (TLS at the load balancer), so a
 * request there needs no token to learn where to go; every port that serves needs one.
 */
export function edgeJwt(
  name: string,
  jwt: JwtConfig,
  gateway: { namespace: string; selector: Record<string, string>; redirectOnly: boolean },
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
        rules: [
          {
            from: [{ source: { notRequestPrincipals: ["*"] } }],
            // Ports as the gateway pod listens: the redirect's own, not the Service's.
            ...(gateway.redirectOnly ? { to: [{ operation: { notPorts: [String(HTTP_PORT)] } }] } : {}),
          },
        ],
      },
    },
    opts,
  );
}
