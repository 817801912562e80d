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

type Callback = (error: unknown, response: unknown) => void;
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

type Wire = Record<string, unknown>;

/** The wire form has no undefined (protobuf Structs drop them); the SDK rejects one inside a value. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = withoutUndefined(item);
  return out;
}

interface Monitor {
  registerResource(req: Request, callback: Callback): void;
  registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } }, cb: Callback): void;
  newUrn(parent: string, type: string, name: string): string;
  resources: Map<string, { urn: string; id: string | null; state: Wire }>;
}

/**
 * Answers every registration on the monitor setMocks installed, and records it. The answer is the
 * one the SDK's mock monitor would give (the mocks' state for the resource), but built from the
 * request's wire form once, instead of deserializing, re-serializing and re-encoding it as the mock
 * monitor does: the offline plan spends most of its time registering resources.
 */
export function recordRegistrations(mocks: pulumi.runtime.Mocks): RecordedResource[] {
  const resources: RecordedResource[] = [];
  const byUrn = new Map<string, RecordedResource>();
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  monitor.registerResource = (req, callback) => {
    const type = req.getType();
    const name = req.getName();
    const wire = (req.getObject()?.toJavaScript() ?? {}) as Wire;
    Promise.resolve(
      mocks.newResource({
        type,
        name,
        inputs: wire,
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: undefined,
      }),
    ).then(
      (result) => {
        const urn = monitor.newUrn(req.getParent(), type, name);
        const state = withoutUndefined(result.state ?? {}) as Wire;
        monitor.resources.set(urn, { urn, id: result.id ?? null, state });
        const recorded: RecordedResource = {
          urn,
          type,
          name,
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          dependencies: [...new Set(req.getDependenciesList())],
          propertyDependencies: propertyDependencies(req),
          provider: providerUrn(req.getProvider()),
          inputs: decode(wire) as Record<string, unknown>,
          options: {
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          },
        };
        resources.push(recorded);
        byUrn.set(urn, recorded);
        // The SDK reads exactly these from a RegisterResourceResponse.
        const response = {
          getUrn: () => urn,
          getId: () => result.id ?? "",
          getObject: () => ({ toJavaScript: () => state }),
          getPropertydependenciesMap: () => undefined,
          getResult: () => 0,
        };
        callback(null, response);
      },
      (error) => callback(error, undefined),
    );
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const resource = byUrn.get(req.getUrn());
    if (resource) resource.outputs = decode(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    registerOutputs(req, callback);
  };
  return resources;
}
