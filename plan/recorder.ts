// Records every resource registration the Pulumi SDK sends to the (mock) engine: type, name,
// inputs, parent, dependencies, provider and options — exactly what `pulumi up` would send.
import * as pulumi from "@pulumi/pulumi";

/** How a value shows when it would only be known after deploy. */
export const UNKNOWN = "(known after deploy)";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Keeps the shape of a secret value (objects, arrays) but hides every leaf. */
function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  }
  return "[secret]";
}

/** A secret input; serializes with every leaf as "[secret]" so plan files never hold its value. */
export class RecordedSecret {
  constructor(readonly value: unknown) {}
  toJSON(): unknown {
    return mask(this.value);
  }
}

/** The value with secrets revealed, for checks that need the real shape and content. */
export function reveal(value: unknown): unknown {
  if (value instanceof RecordedSecret) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  dependencies: string[];
  /** Input property → URNs of the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
  provider?: string;
  inputs: Record<string, unknown>;
  options: {
    protect?: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    additionalSecretOutputs: string[];
  };
  /** Outputs a component registered with registerOutputs. */
  outputs?: Record<string, unknown>;
}

/** Turns the wire form of a property value into plain data with markers for unknowns and secrets. */
export function decode(value: unknown): unknown {
  if (value === pulumi.runtime.unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const sig = record[pulumi.runtime.specialSigKey];
    if (sig === SECRET_SIG) return new RecordedSecret(decode(record.value));
    if (sig === RESOURCE_SIG) return record.urn;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

function providerUrn(reference: string): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}

function propertyDependencies(req: Request): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    if (value.getUrnsList().length > 0) result[key] = value.getUrnsList();
  });
  return result;
}

type Callback = (error: unknown, response: { getUrn(): string } | undefined) => void;
interface Request {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): unknown } | undefined;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getProvider(): string;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
}

/** Wraps the monitor installed by setMocks so every registration is also recorded. */
export function recordRegistrations(): RecordedResource[] {
  const resources: RecordedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: Request, callback: Callback): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } }, cb: Callback): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (error, response) => {
      if (!error && response) {
        resources.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          dependencies: [...new Set(req.getDependenciesList())],
          propertyDependencies: propertyDependencies(req),
          provider: providerUrn(req.getProvider()),
          inputs: (decode(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>) ?? {},
          options: {
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          },
        });
      }
      callback(error, response);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const resource = resources.find((r) => r.urn === req.getUrn());
    if (resource) resource.outputs = decode(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    registerOutputs(req, callback);
  };
  return resources;
}
