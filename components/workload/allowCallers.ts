// The ALLOW policy of one service: exactly its callers, by principal, method, path and the port the
// service listens on. With the namespace's allow-nothing policy, nobody else gets through.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AllowedCall } from "./callGraph";

export function allowCallers(
  name: string,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
  app: string,
  port: number,
  callers: AllowedCall[],
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata,
      spec: {
        selector: { matchLabels: { app } },
        action: "ALLOW",
        rules: callers.map((caller) => ({
          from: [{ source: { principals: [caller.principal] } }],
          to: [{ operation: { methods: caller.methods, paths: caller.paths, ports: [String(port)] } }],
        })),
      },
    },
    opts,
  );
}
