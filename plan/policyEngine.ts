// Evaluates the policy pack against recorded resources, as the Pulumi analyzer would during a
// preview: same policies, same config file format, unknown values skip the check (advisory).
import * as fs from "fs";
import {
  policies as packPolicies,
  type AiMeshPolicy,
  type EnforcementLevel,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "../policy/policies";
import { RecordedSecret, UNKNOWN, type RecordedResource } from "./recorder";

export interface PolicyFinding {
  policy: string;
  level: EnforcementLevel;
  resource: string;
  message: string;
}

export interface PolicyReport {
  violations: PolicyFinding[];
  /** Checks that could not run because a value is only known after deploy. */
  skipped: PolicyFinding[];
}

type PolicyConfigEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
export type PolicyConfigFile = Record<string, PolicyConfigEntry>;

class UnknownAtPreview extends Error {}

/** Plain data with secrets unwrapped; reading an unknown value throws, as in the analyzer. */
function asProps(value: unknown, path: string): unknown {
  if (value instanceof RecordedSecret) return asProps(value.value, path);
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value as object, {
    get(target, key) {
      const inner = Reflect.get(target, key);
      if (typeof key === "symbol") return inner;
      if (inner === UNKNOWN) throw new UnknownAtPreview(`${path}.${key} is unknown until deploy`);
      return asProps(inner, `${path}.${key}`);
    },
  });
}

export function loadPolicyConfig(file: string): PolicyConfigFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfigFile;
}

function entryOf(config: PolicyConfigFile, name: string): PolicyConfigEntry | undefined {
  return config[name] ?? config.all;
}

export function levelOf(policy: AiMeshPolicy, config: PolicyConfigFile): EnforcementLevel {
  const entry = entryOf(config, policy.name);
  if (typeof entry === "string") return entry;
  return entry?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
}

/** Schema defaults overlaid with the policy's entry in the config file. */
function configOf(policy: AiMeshPolicy, config: PolicyConfigFile): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [key, schema.default]),
  );
  const entry = config[policy.name];
  const overrides =
    typeof entry === "object"
      ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel"))
      : {};
  return { ...defaults, ...overrides };
}

function notApplicable(): never {
  throw new UnknownAtPreview("not applicable");
}

function policyResources(resources: RecordedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: asProps(r.inputs, r.name) as Record<string, unknown>,
      opts: {
        protect: r.options.protect ?? false,
        ignoreChanges: r.options.ignoreChanges,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        aliases: [],
        additionalSecretOutputs: r.options.additionalSecretOutputs,
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of resources) {
    const resource = byUrn.get(r.urn)!;
    const lookup = (urns: string[]) =>
      urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
    resource.dependencies = lookup(r.dependencies);
    resource.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([k, urns]) => [k, lookup(urns)]),
    );
  }
  return [...byUrn.values()];
}

/** Runs every enabled policy of the pack over the resources. */
export function evaluatePolicies(
  resources: RecordedResource[],
  config: PolicyConfigFile = {},
  policies: AiMeshPolicy[] = packPolicies,
): PolicyReport {
  const report: PolicyReport = { violations: [], skipped: [] };
  const targets = policyResources(resources);
  for (const policy of policies) {
    const level = levelOf(policy, config);
    if (level === "disabled") continue;
    const getConfig = <T extends object>() => configOf(policy, config) as T;
    const run = (resource: string, check: (report: (message: string, urn?: string) => void) => void) => {
      try {
        check((message, urn) =>
          report.violations.push({ policy: policy.name, level, resource: urn ?? resource, message }),
        );
      } catch (error) {
        if (!(error instanceof UnknownAtPreview)) throw error;
        if (error.message !== "not applicable") {
          report.skipped.push({
            policy: policy.name,
            level: "advisory",
            resource,
            message: `can't run during preview: ${error.message}`,
          });
        }
      }
    };
    const { validateResource } = policy as ResourceValidationPolicy;
    if (validateResource) {
      const validations = Array.isArray(validateResource) ? validateResource : [validateResource];
      for (const target of targets) {
        const args = { ...target, stackTags: new Map(), getConfig, notApplicable } as unknown as ResourceValidationArgs;
        for (const validate of validations) run(target.urn, (violation) => validate(args, violation));
      }
    }
    const { validateStack } = policy as StackValidationPolicy;
    if (validateStack) {
      const args: StackValidationArgs = { resources: targets, stackTags: new Map(), getConfig, notApplicable };
      run("stack", (violation) => validateStack(args, violation));
    }
  }
  return report;
}

/** Mandatory violations: what blocks a deployment. */
export function blocking(report: PolicyReport): PolicyFinding[] {
  return report.violations.filter((v) => v.level === "mandatory");
}
