// Keda: the pinned KEDA chart, which scales the model servers on their queue (scaling.ts). Its
// metrics API server is an APIService like metrics-server's, so it is created after istiod for the
// same reason (see index.ts): destroy then deletes it no later than the stack's namespaces.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, chartArgs } from "../charts/pins";
import type { ChartsConfig } from "../config";
import { kedaValues } from "./scaling";
import { KEDA_NAMESPACE, KEDA_RELEASE } from "../core/inferenceNames";

export interface KedaArgs {
  charts: ChartsConfig;
  /** Where its pods run (EKS: the system nodes); anywhere when absent. */
  nodeSelector?: Record<string, string>;
  dependsOn: pulumi.Resource[];
}

export class Keda extends pulumi.ComponentResource {
  /** Depend on this for "ScaledObjects are accepted and acted on". */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:Keda", name, {}, opts);
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: KEDA_NAMESPACE } },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: KEDA_RELEASE,
        ...chartArgs(CHARTS.keda, args.charts),
        namespace: KEDA_NAMESPACE,
        values: kedaValues(args.nodeSelector),
        // Its admission webhook must answer before the first ScaledObject is created.
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [namespace] },
    );
    this.registerOutputs({ namespace: KEDA_NAMESPACE });
  }
}
