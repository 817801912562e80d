// The plan's warnings about model versions that may get traffic before their pool can answer: what
// can be known offline (the plan has no cluster state, so "new in this update" is a possibility it
// names, not a fact it sees).
import { deploy, type RunResult } from "../plan/engine";
import { modelWarnings } from "../plan/modelWarnings";
import type { RecordedResource } from "../plan/recorder";

const recorded = (type: string, name: string, spec: unknown): RecordedResource => ({
  urn: `urn:${type}:${name}`,
  type,
  name,
  custom: true,
  dependencies: [],
  propertyDependencies: {},
  inputs: { metadata: { name }, spec },
  options: { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
});
const route = (backends: [string, number][]) =>
  recorded("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "chat", {
    rules: [{ backendRefs: backends.map(([name, weight]) => ({ name, weight })) }],
  });
const scaler = (name: string, min: number) =>
  recorded("kubernetes:keda.sh/v1alpha1:ScaledObject", name, { minReplicaCount: min });

describe("modelWarnings", () => {
  let dev: RunResult;
  beforeAll(async () => {
    dev = await deploy();
  });

  it("warns that the dev stack's weighted canary (chat v2, 10) gets traffic without analysis if it is new", () => {
    expect(modelWarnings(dev.resources)).toEqual([
      "chat v2: weight 10 from the stack file; if v2 is new in this update, pulumi up routes to it once its Deployment is ready, with no canary analysis and no check of its pool. Deploy a new version at weight 0 and raise it with npm run canary, which checks its pool has a ready endpoint first",
    ]);
  });

  it("is silent for the stable version alone and for versions at weight 0", () => {
    expect(
      modelWarnings([
        route([
          ["chat-v2", 0],
          ["chat-v1", 100],
        ]),
        scaler("chat-v1", 1),
      ]),
    ).toEqual([]);
  });

  it("warns about a weighted version that may scale to no pod", () => {
    expect(modelWarnings([route([["chat-v1", 100]]), scaler("chat-v1", 0)])).toEqual([
      "chat v1: weight 100 with 0 minimum replicas; while it has no pod its pool has no endpoint and its share fails with 503",
    ]);
  });
});
