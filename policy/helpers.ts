// Small readers over resource properties shared by the policies. Type-only imports: the pack
// runs under the Pulumi analyzer, and the same code is evaluated offline by `npm run plan`.
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { GPU_RESOURCE } from "./shared/gpu";

export { GPU_NODE_LABEL, GPU_RESOURCE } from "./shared/gpu";

/** Policy objects as the pack declares them: both kinds carry remediation steps. */
export type AiMeshPolicy = (ResourceValidationPolicy | StackValidationPolicy) & { remediationSteps: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource properties are untyped JSON
export type Props = Record<string, any>;

export const WORKLOAD_TYPES = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
];

/** A resource-level policy that only looks at the given type tokens. */
export function resourcePolicy(
  policy: Omit<ResourceValidationPolicy, "validateResource"> & {
    remediationSteps: string;
    enforcementLevel: EnforcementLevel;
    types: string[];
    validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void;
  },
): AiMeshPolicy {
  const { types, validate, ...rest } = policy;
  return {
    ...rest,
    validateResource: (args, report) => {
      if (types.includes(args.type)) validate(args.props, args, report);
    },
  };
}

export function stackPolicy(
  policy: Omit<StackValidationPolicy, "validateStack"> & {
    remediationSteps: string;
    enforcementLevel: EnforcementLevel;
    validate: (resources: PolicyResource[], args: StackValidationArgs, report: ReportViolation) => void;
  },
): AiMeshPolicy {
  const { validate, ...rest } = policy;
  return { ...rest, validateStack: (args, report) => validate(args.resources, args, report) };
}

/** "namespace/name" of a Kubernetes object, for messages. */
export function objectName(props: Props): string {
  const meta = props.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job). */
export function podSpec(props: Props): Props | undefined {
  return props.spec?.template?.spec;
}

export function containersOf(pod: Props): Props[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

export function gpuLimit(pod: Props): boolean {
  return containersOf(pod).some((c) => c.resources?.limits?.[GPU_RESOURCE] !== undefined);
}

export function ofKind<T extends Pick<PolicyResource, "type" | "props">>(resources: T[], kind: string): T[] {
  return resources.filter((r) => r.type.startsWith("kubernetes:") && r.props.kind === kind);
}
