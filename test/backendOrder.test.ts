// The order of a model route's backendRefs. Istio 1.30.3 gives an HTTPRoute rule one endpoint picker,
// the last weighted backendRef's (istio/istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go,
// buildHTTPDestination; istio/istio#61594): the stable pool goes last, so a canary pool without a ready
// endpoint cannot turn the whole rule into 503s.
import { backendOrder, modelRouteSpec } from "../components/inference/routing";
import { heaviest } from "../components/core/weights";
import { configuredWeights } from "../components/core/weights";
import { parseConfig } from "../components/config";
import { devRawWith, llmServiceOf } from "./support/configFixtures";

describe("backendOrder", () => {
  it("lists the stable (heaviest) version last, the others in declared order", () => {
    expect(backendOrder({ v1: 90, v2: 10 })).toEqual(["v2", "v1"]);
    expect(backendOrder({ v1: 10, v2: 90 })).toEqual(["v1", "v2"]);
    expect(backendOrder({ v1: 20, v2: 60, v3: 20 })).toEqual(["v1", "v3", "v2"]);
    expect(backendOrder({ v1: 100 })).toEqual(["v1"]);
  });

  it("keeps the first declared version as the stable one on a tie", () => {
    expect(backendOrder({ v1: 50, v2: 50 })).toEqual(["v2", "v1"]);
    expect(backendOrder({ v2: 50, v1: 50 })).toEqual(["v1", "v2"]);
    expect(heaviest({ a: 40, b: 40, c: 20 })).toBe("a");
  });
});

describe("modelRouteSpec", () => {
  it("puts the dev stack's stable pool (chat-v1, 90) after the canary's (chat-v2, 10)", () => {
    const chat = llmServiceOf(parseConfig(devRawWith(() => {})), "chat");
    const spec = modelRouteSpec(chat, configuredWeights(chat), { name: "llm", namespace: "llm-gateway" });
    expect(spec.rules[0].backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ["chat-v2", 10],
      ["chat-v1", 90],
    ]);
  });
});
