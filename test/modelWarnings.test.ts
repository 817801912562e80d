// The plan's warnings about model versions that may get traffic before their pool can answer: what
// can be known offline (the plan has no cluster state, so "new in this update" is a possibility it
// names, not a fact it sees).
import { deploy, type RunResult } from "../plan/engine";
import { modelWarnings } from "../plan/modelWarnings";
import type { RecordedResource } from "../plan/recorder";

const recorded = (type: string, name: string, spec: unknown, labels?: Record<string, string>): RecordedResource => ({
  urn: `urn:${type}:${name}`,
  type,
  name,
  custom: true,
  dependencies: [],
  propertyDependencies: {},
  inputs: { metadata: { name, labels }, spec },
  options: { ignoreChanges: [], replaceOnChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
});
const route = (backends: [string, number][]) =>
  recorded("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "chat", {
    rules: [{ backendRefs: backends.map(([name, weight]) => ({ name, weight })) }],
  });
/** A version's model server Deployment, in declared order. */
const server = (version: string) =>
  recorded("kubernetes:apps/v1:Deployment", `chat-${version}`, {}, { app: "chat", version });

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
        server("v1"),
        server("v2"),
        route([
          ["chat-v2", 0],
          ["chat-v1", 100],
        ]),
      ]),
    ).toEqual([]);
  });

  it("warns, worst of all, about a later-declared version that is itself the heaviest: its picker serves the whole model", async () => {
    const promoted = await deploy({
      config: {
        "ai-mesh:services": {
          chat: {
            versions: [
              { name: "v1", image: "vllm/vllm-openai:v0.24.0", weight: 0 },
              { name: "v2", image: "vllm/vllm-openai:v0.27.1", weight: 100, replicas: { min: 1, max: 1 } },
            ],
          },
        },
      },
    });
    expect(modelWarnings(promoted.resources)).toEqual([
      "chat v2: weight 100, the heaviest, though v1 is declared first; if v2 is new in this update, pulumi up routes the whole model through it once its Deployment is ready: its endpoint picker chooses for every request (Istio 1.30.3 uses the heaviest pool's), so while its pool has no ready endpoint all of chat's requests fail with 503, with no canary analysis and no check of its pool. Deploy a new version at weight 0 and raise it with npm run canary; after a finished promotion, declare v2 first",
    ]);
  });

  it("warns about the heaviest and the other weighted versions alike", () => {
    expect(
      modelWarnings([
        server("v1"),
        server("v2"),
        route([
          ["chat-v1", 40],
          ["chat-v2", 60],
        ]),
      ]).map((line) => line.slice(0, 40)),
    ).toEqual(["chat v2: weight 60, the heaviest, though", "chat v1: weight 40 from the stack file; "]);
  });
});
