// Workload security and reliability policies.
import { parseImage } from "./shared/images";
import { MODEL_CACHE_HOST_PATH, MODEL_SERVER_LABEL } from "./shared/modelCache";
import {
  WORKLOAD_TYPES,
  containersOf,
  objectName,
  podSpec,
  resourcePolicy,
  stackPolicy,
  type AiMeshPolicy,
  type Props,
} from "./helpers";

type ContainerCheck = (container: Props, pod: Props) => string | undefined;

/** A mandatory policy that checks every container of every workload. */
function containerPolicy(
  name: string,
  description: string,
  remediationSteps: string,
  check: ContainerCheck,
): AiMeshPolicy {
  return resourcePolicy({
    name,
    description,
    remediationSteps,
    enforcementLevel: "mandatory",
    types: WORKLOAD_TYPES,
    validate: (props, _args, report) => {
      const pod = podSpec(props);
      if (!pod) return;
      for (const container of containersOf(pod)) {
        const problem = check(container, pod);
        if (problem) report(`${props.kind} ${objectName(props)} container ${container.name} ${problem}.`);
      }
    },
  });
}

function matches(selector: Props | undefined, labels: Props): boolean {
  const wanted = selector?.matchLabels ?? {};
  return Object.keys(wanted).length > 0 && Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

export const workloadPolicies: AiMeshPolicy[] = [
  containerPolicy(
    "workload-non-root",
    "Containers run as a non-root user.",
    "Set runAsNonRoot: true (pod or container securityContext) and a non-zero runAsUser.",
    (c, pod) => {
      const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      if (user === 0) return "runs as root (runAsUser 0)";
      return nonRoot === true ? undefined : "may run as root (runAsNonRoot is not true)";
    },
  ),
  containerPolicy(
    "workload-no-privilege-escalation",
    "Containers cannot gain privileges.",
    "Set securityContext.allowPrivilegeEscalation: false and privileged: false.",
    (c) => {
      if (c.securityContext?.privileged === true) return "is privileged";
      return c.securityContext?.allowPrivilegeEscalation === false ? undefined : "allows privilege escalation";
    },
  ),
  containerPolicy(
    "workload-drop-all-capabilities",
    "Containers drop all Linux capabilities.",
    'Set securityContext.capabilities.drop: ["ALL"].',
    (c) =>
      (c.securityContext?.capabilities?.drop ?? []).includes("ALL") ? undefined : "does not drop ALL capabilities",
  ),
  containerPolicy(
    "workload-read-only-root-filesystem",
    "Containers have a read-only root filesystem.",
    "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the app writes.",
    (c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : "has a writable root filesystem"),
  ),
  containerPolicy(
    "workload-resources",
    "Containers request CPU and memory and limit memory.",
    "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
    (c) => {
      const missing = [
        c.resources?.requests?.cpu === undefined && "requests.cpu",
        c.resources?.requests?.memory === undefined && "requests.memory",
        c.resources?.limits?.memory === undefined && "limits.memory",
      ].filter(Boolean);
      return missing.length > 0 ? `has no ${missing.join(", ")}` : undefined;
    },
  ),
  resourcePolicy({
    name: "workload-no-host-path",
    description:
      "Pods do not mount the node's filesystem. One exception: a model server keeps its weights in the GPU node's model cache, so a restart or a second pod on the node does not download them again.",
    remediationSteps: `Use emptyDir or a PersistentVolumeClaim. Only a pod labelled ${Object.entries(MODEL_SERVER_LABEL)[0].join("=")} may mount ${MODEL_CACHE_HOST_PATH}, with type Directory (the node made it; never created as root).`,
    enforcementLevel: "mandatory",
    types: WORKLOAD_TYPES,
    validate: (props, _args, report) => {
      const pod = podSpec(props);
      const labels: Props = props.spec?.template?.metadata?.labels ?? {};
      const modelServer = Object.entries(MODEL_SERVER_LABEL).every(([k, v]) => labels[k] === v);
      for (const volume of pod?.volumes ?? []) {
        const hostPath = volume.hostPath;
        if (!hostPath) continue;
        if (modelServer && hostPath.path === MODEL_CACHE_HOST_PATH && hostPath.type === "Directory") continue;
        report(
          `${props.kind} ${objectName(props)} mounts the node's ${hostPath.path} (volume ${volume.name}, type ${hostPath.type ?? "unset"}); only a model server may mount ${MODEL_CACHE_HOST_PATH}, type Directory.`,
        );
      }
    },
  }),
  resourcePolicy({
    name: "workload-probes",
    description: "Long-running containers have readiness and liveness probes.",
    remediationSteps: "Add readinessProbe and livenessProbe (and a startupProbe for slow starts).",
    enforcementLevel: "mandatory",
    types: WORKLOAD_TYPES.filter((t) => !t.startsWith("kubernetes:batch/")),
    validate: (props, _args, report) => {
      for (const c of podSpec(props)?.containers ?? []) {
        const missing = ["readinessProbe", "livenessProbe"].filter((p) => !c[p]);
        if (missing.length > 0)
          report(`${props.kind} ${objectName(props)} container ${c.name} has no ${missing.join(", ")}.`);
      }
    },
  }),
  containerPolicy(
    "workload-image-pinned",
    "Images are pinned to a version tag or digest, never latest.",
    "Use an immutable version tag (e.g. :1.4.2) or a sha256 digest.",
    (c) => {
      const { tag, digest } = parseImage(c.image ?? "");
      if (digest) return undefined;
      if (tag === undefined) return `uses image ${c.image} without a tag`;
      return tag === "latest" ? `uses image ${c.image} with the latest tag` : undefined;
    },
  ),
  resourcePolicy({
    name: "workload-image-digest",
    description: "Images are pinned by digest so a tag cannot be moved underneath a release.",
    remediationSteps: "Reference images as repo@sha256:<digest> (keep the tag for humans in a label).",
    enforcementLevel: "advisory",
    types: WORKLOAD_TYPES,
    validate: (props, _args, report) => {
      for (const c of containersOf(podSpec(props) ?? {})) {
        if (!parseImage(c.image ?? "").digest)
          report(`${props.kind} ${objectName(props)} container ${c.name} image is not pinned by digest.`);
      }
    },
  }),
  stackPolicy({
    name: "workload-pod-disruption-budget",
    description: "Deployments that run more than one replica have a PodDisruptionBudget.",
    remediationSteps: "Add a PodDisruptionBudget whose selector matches the pods (maxUnavailable: 1).",
    enforcementLevel: "advisory",
    validate: (resources, _args, report) => {
      const pdbs = resources.filter((r) => r.props.kind === "PodDisruptionBudget");
      const hpas = resources.filter((r) => r.props.kind === "HorizontalPodAutoscaler");
      for (const d of resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")) {
        const ns = d.props.metadata?.namespace;
        const name = d.props.metadata?.name;
        const hpa = hpas.find((h) => h.props.metadata?.namespace === ns && h.props.spec?.scaleTargetRef?.name === name);
        const replicas = hpa?.props.spec?.minReplicas ?? d.props.spec?.replicas ?? 1;
        if (replicas < 2) continue;
        const labels = d.props.spec?.template?.metadata?.labels ?? {};
        const covered = pdbs.some((p) => p.props.metadata?.namespace === ns && matches(p.props.spec?.selector, labels));
        if (!covered)
          report(`Deployment ${ns}/${name} runs ${replicas} replicas without a PodDisruptionBudget.`, d.urn);
      }
    },
  }),
  resourcePolicy({
    name: "no-load-balancer-services",
    description: "Only the ingress gateway is exposed through a cloud load balancer.",
    remediationSteps: "Use ClusterIP and route through the Istio ingress gateway (Gateway + VirtualService).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowedLoadBalancers: {
          type: "array",
          items: { type: "string" },
          default: ["istio-ingress/istio-ingressgateway"],
        },
      },
    },
    types: ["kubernetes:core/v1:Service"],
    validate: (props, args, report) => {
      const { allowedLoadBalancers } = args.getConfig<{ allowedLoadBalancers: string[] }>();
      if (props.spec?.type === "LoadBalancer" && !allowedLoadBalancers.includes(objectName(props))) {
        report(`Service ${objectName(props)} is a LoadBalancer; only the ingress gateway may be.`);
      }
    },
  }),
];
