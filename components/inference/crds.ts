// InferenceCrds: the Gateway API (standard channel) and Inference Extension CRDs, pinned, from their
// release assets or the charts directory; or nothing, when the cluster has them (llm.crds present).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CRD_MANIFESTS, manifestSource } from "../charts/manifests";
import type { ChartsConfig, LlmConfig } from "../config";
import { kubernetesName } from "../core/names";

export interface InferenceCrdsArgs {
  mode: LlmConfig["crds"];
  charts: ChartsConfig;
  dependsOn: pulumi.Resource[];
}

export class InferenceCrds extends pulumi.ComponentResource {
  /** Depend on these for "the CRDs exist". */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: InferenceCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:InferenceCrds", name, {}, opts);
    this.ready =
      args.mode === "present"
        ? []
        : Object.entries(CRD_MANIFESTS).map(
            ([key, ref]) =>
              new k8s.yaml.v2.ConfigFile(
                `${name}-${kubernetesName(key)}`,
                { file: manifestSource(ref, args.charts) },
                { parent: this, dependsOn: args.dependsOn },
              ),
          );
    this.registerOutputs({});
  }
}
