// The endpoint picker's scorers, stated: queue, KV cache and prefix cache with the release's weights,
// in the EndpointPickerConfig format the pinned GIE v1.4.0 picker loads (apix/config/v1alpha1,
// pkg/epp/config/loader), carried by the inferencepool chart's pluginsCustomConfig/pluginsConfigFile
// (config/charts/epplib/templates/_config.yaml). The rendered ConfigMap: test/tools/inference.helm.test.ts.
import { parse } from "yaml";
import { endpointPickerConfig, pickerConfigValues } from "../components/inference/pickerConfig";

describe("the endpoint picker's config", () => {
  it("scores by queue (2), KV cache (2) and prefix cache (3), then picks the highest score", () => {
    expect(endpointPickerConfig()).toEqual({
      apiVersion: "inference.networking.x-k8s.io/v1alpha1",
      kind: "EndpointPickerConfig",
      plugins: [
        { type: "queue-scorer" },
        { type: "kv-cache-utilization-scorer" },
        {
          type: "prefix-cache-scorer",
          parameters: { autoTune: true, blockSizeTokens: 16, maxPrefixBlocksToMatch: 256 },
        },
        { type: "max-score-picker" },
        { type: "single-profile-handler" },
      ],
      schedulingProfiles: [
        {
          name: "default",
          plugins: [
            { pluginRef: "queue-scorer", weight: 2 },
            { pluginRef: "kv-cache-utilization-scorer", weight: 2 },
            { pluginRef: "prefix-cache-scorer", weight: 3 },
            { pluginRef: "max-score-picker" },
          ],
        },
      ],
    });
  });

  it("reaches the chart as a file of its own, which the picker is told to read", () => {
    const values = pickerConfigValues();
    expect(values.pluginsConfigFile).toBe("ai-mesh-plugins.yaml");
    expect(Object.keys(values.pluginsCustomConfig)).toEqual(["ai-mesh-plugins.yaml"]);
    expect(parse(values.pluginsCustomConfig["ai-mesh-plugins.yaml"])).toEqual(endpointPickerConfig());
  });
});
