// Raw config as parseConfig sees it, taken from the committed dev stack so tests track it.
import {
  ConfigError,
  isLlm,
  parseConfig,
  rawConfig,
  type HttpServiceConfig,
  type LlmServiceConfig,
  type ServiceConfig,
} from "../../components/config";
import { mergeConfig, readStackFile, type ConfigValues } from "../../cli/stackFile";

export type Raw = Record<string, unknown>;

/** The dev stack's config keyed as parseConfig expects (cluster, services, region ...). */
export function devRaw(): Raw {
  return stackRaw("dev");
}

/** A committed stack's config, with stack-file-style overrides, keyed as parseConfig expects. */
export function stackRaw(stack: string, overrides: ConfigValues = {}): Raw {
  return JSON.parse(JSON.stringify(rawConfig(mergeConfig(readStackFile(stack).config, overrides)))) as Raw;
}

/** The problems parseConfig reports, as "path: message" lines; [] when the config is valid. */
export function configProblems(raw: Raw): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

/** A deep copy of the dev config with `edit` applied. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit YAML-shaped config freely
export function devRawWith(edit: (raw: Record<string, any>) => void): Raw {
  const raw = devRaw();
  edit(raw);
  return raw;
}

function anyServiceOf(config: { services: { list: ServiceConfig[] } }, key: string): ServiceConfig {
  const service = config.services.list.find((s) => s.key === key);
  if (!service) throw new Error(`no service ${key}; have ${config.services.list.map((s) => s.key).join(", ")}`);
  return service;
}

/** One HTTP service of a parsed config, by its config key. */
export function serviceOf(config: { services: { list: ServiceConfig[] } }, key: string): HttpServiceConfig {
  const service = anyServiceOf(config, key);
  if (isLlm(service)) throw new Error(`${key} is an llm service`);
  return service;
}

/** One llm service of a parsed config, by its config key. */
export function llmServiceOf(config: { services: { list: ServiceConfig[] } }, key: string): LlmServiceConfig {
  const service = anyServiceOf(config, key);
  if (!isLlm(service)) throw new Error(`${key} is not an llm service`);
  return service;
}

/** Raw config edit: a managed GPU node group instead of Karpenter. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit YAML-shaped config freely
export function useManagedGpus(raw: Record<string, any>, group: Record<string, unknown> = {}): void {
  raw.cluster.gpuNodes = {
    provisioner: "managed",
    instanceTypes: ["g5.xlarge"],
    // One node per GPU pod the dev stack runs at minimum (3 detectors, 2 model servers): nothing
    // scales a managed group here.
    minSize: 1,
    desiredSize: 5,
    maxSize: 5,
    ...group,
  };
  delete raw.cluster.generalNodes;
}

/** Stack-file overrides of the dev stack for a managed GPU group. */
export const MANAGED_GPUS = {
  "ai-mesh:cluster": {
    gpuNodes: {
      provisioner: "managed",
      instanceFamilies: undefined,
      capacityTypes: undefined,
      maxGpus: undefined,
      instanceTypes: ["g5.xlarge"],
      minSize: 1,
      desiredSize: 5,
      maxSize: 5,
    },
    generalNodes: undefined,
  },
};
