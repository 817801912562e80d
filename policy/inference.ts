// LLM serving policies: the Gateway API objects, the inference extension's picker releases, the
// model servers and their autoscalers. Each checks what a wrong value would cost in production.
import { objectName, podSpec, resourcePolicy, type AiMeshPolicy, type Props } from "./helpers";

const GATEWAY_TYPES = ["kubernetes:gateway.networking.k8s.io/v1:Gateway"];
const HTTP_ROUTE_TYPES = ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"];
const RELEASE_TYPES = ["kubernetes:helm.sh/v3:Release"];
const SCALED_OBJECT_TYPES = ["kubernetes:keda.sh/v1alpha1:ScaledObject"];
const DEPLOYMENT_TYPES = ["kubernetes:apps/v1:Deployment"];
const COMMIT = /^[0-9a-f]{40}$/;

/** A release of the inference extension's inferencepool chart, by chart name or packaged file. */
function isPickerRelease(props: Props): boolean {
  const chart = String(props.chart ?? "");
  return chart === "inferencepool" || /(^|\/)inferencepool(-v?[\d.]+\.tgz)?$/.test(chart);
}

/** The value after `--flag` in an argument list. */
function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

export const inferencePolicies: AiMeshPolicy[] = [
  resourcePolicy({
    name: "gateway-api-routes-restricted",
    description: "A Gateway API Gateway takes routes only from the namespaces it names, never from all.",
    remediationSteps:
      "Set every listener's allowedRoutes.namespaces to from: Same or from: Selector with the namespaces that serve through it.",
    enforcementLevel: "mandatory",
    types: GATEWAY_TYPES,
    validate: (props, _args, report) => {
      for (const listener of props.spec?.listeners ?? []) {
        const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
        if (from === "All") {
          report(`Gateway ${objectName(props)} listener ${listener.name} takes routes from every namespace.`);
        }
      }
    },
  }),
  resourcePolicy({
    name: "llm-route-weights-and-timeout",
    description:
      "Every HTTPRoute rule that splits between backends splits exactly 100%, and every rule with backends bounds a request's time.",
    remediationSteps:
      "Make the backendRefs' weights add up to 100 (the typed canary weights do), and set timeouts.request on the rule.",
    enforcementLevel: "mandatory",
    types: HTTP_ROUTE_TYPES,
    validate: (props, _args, report) => {
      (props.spec?.rules ?? []).forEach((rule: Props, i: number) => {
        const backends: Props[] = rule.backendRefs ?? [];
        // Gateway API: a backend without a weight weighs 1.
        const sum = backends.reduce((total, b) => total + (b.weight ?? 1), 0);
        if (backends.length > 1 && sum !== 100) {
          report(`HTTPRoute ${objectName(props)} rule ${i} weights sum to ${sum}, must be 100.`);
        }
        // A rule without backends (a redirect) answers at the gateway: there is nothing to wait for.
        if (backends.length > 0 && !rule.timeouts?.request) {
          report(`HTTPRoute ${objectName(props)} rule ${i} has no request timeout.`);
        }
      });
    },
  }),
  resourcePolicy({
    name: "inferencepool-picker-secured",
    description:
      "An endpoint picker release is reached the way the mesh allows (provider istio), serves its metrics to authenticated scrapers only, and runs the chart's pinned image.",
    remediationSteps:
      "Set provider.name istio, keep inferenceExtension.monitoring.prometheus enabled with auth, and leave inferenceExtension.image.tag at the chart's pinned version.",
    enforcementLevel: "mandatory",
    types: RELEASE_TYPES,
    validate: (props, _args, report) => {
      if (!isPickerRelease(props)) return;
      const values: Props = props.values ?? {};
      const name = `${props.namespace}/${props.name}`;
      if (values.provider?.name !== "istio") {
        report(`Release ${name}: provider.name is ${JSON.stringify(values.provider?.name)}, not "istio".`);
      }
      const prometheus = values.inferenceExtension?.monitoring?.prometheus;
      if (prometheus?.enabled !== true || prometheus?.auth?.enabled === false) {
        report(`Release ${name}: the picker's metrics would answer without authentication.`);
      }
      const tag = values.inferenceExtension?.image?.tag;
      if (tag !== undefined) report(`Release ${name}: overrides the picker's image tag (${tag}).`);
    },
  }),
  resourcePolicy({
    name: "model-server-weights-pinned",
    description: "A vLLM model server loading a hub model loads a pinned commit of it (weights and tokenizer).",
    remediationSteps:
      "Set model.revision (and any version's model.revision) to the repository's 40-character commit hash.",
    enforcementLevel: "mandatory",
    types: DEPLOYMENT_TYPES,
    validate: (props, _args, report) => {
      for (const container of podSpec(props)?.containers ?? []) {
        const args: string[] = container.args ?? [];
        if (container.command?.[0] !== "vllm" || args[0] !== "serve") continue;
        // A local path was put there by an init container (S3); a hub model is "org/name".
        if (String(args[1] ?? "").startsWith("/")) continue;
        for (const flag of ["--revision", "--tokenizer-revision"]) {
          const value = flagValue(args, flag);
          if (!value || !COMMIT.test(value)) {
            report(
              `Deployment ${objectName(props)} serves ${args[1]} without a pinned ${flag} (got ${value ?? "none"}).`,
            );
          }
        }
      }
    },
  }),
  resourcePolicy({
    name: "scaledobject-bounded",
    description:
      "A KEDA ScaledObject has a ceiling, and falls back to holding its replicas when its metric cannot be read.",
    remediationSteps: "Set maxReplicaCount, and fallback with behavior currentReplicasIfHigher (or currentReplicas).",
    enforcementLevel: "mandatory",
    types: SCALED_OBJECT_TYPES,
    validate: (props, _args, report) => {
      const spec: Props = props.spec ?? {};
      if (spec.maxReplicaCount === undefined) report(`ScaledObject ${objectName(props)} has no maxReplicaCount.`);
      const behavior = spec.fallback?.behavior ?? "static";
      if (!spec.fallback || !["currentReplicas", "currentReplicasIfHigher"].includes(behavior)) {
        report(
          `ScaledObject ${objectName(props)} does not hold its replicas when its metric is missing (fallback ${spec.fallback ? `behavior ${behavior}` : "absent"}).`,
        );
      }
    },
  }),
];
