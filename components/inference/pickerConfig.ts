// What each endpoint picker scores model servers by, stated rather than left to the chart's default:
// the EndpointPickerConfig (inference.networking.x-k8s.io/v1alpha1) of the pinned GIE release, as its
// loader reads it (pkg/epp/config/loader). Pure: the config object and the chart values that carry it.
import { toYaml } from "../core/yaml";

/** The file the inferencepool chart mounts at /config and passes to --config-file. */
export const PICKER_CONFIG_FILE = "ai-mesh-plugins.yaml";

/**
 * The three signals llm-d and KServe's LLMInferenceService route by, with the release's own weights
 * (its chart's default profile): the shortest queue (vllm:num_requests_waiting), the emptiest KV
 * cache (vllm:kv_cache_usage_perc), and the server likeliest to hold the prompt's prefix, so a
 * conversation's next turn reuses its cached blocks instead of recomputing them.
 */
export const PICKER_SCORERS = [
  { type: "queue-scorer", weight: 2 },
  { type: "kv-cache-utilization-scorer", weight: 2 },
  {
    type: "prefix-cache-scorer",
    weight: 3,
    // autoTune reads each server's block size and cache size from vllm:cache_config_info; the rest
    // are the release's defaults: 16-token blocks, up to 256 of them matched per prompt.
    parameters: { autoTune: true, blockSizeTokens: 16, maxPrefixBlocksToMatch: 256 },
  },
] as const;

/** The highest total score wins; one profile, so the single-profile handler runs it. */
const PICKER = "max-score-picker";
const PROFILE_HANDLER = "single-profile-handler";

export function endpointPickerConfig() {
  return {
    apiVersion: "inference.networking.x-k8s.io/v1alpha1",
    kind: "EndpointPickerConfig",
    plugins: [
      ...PICKER_SCORERS.map((s) => ({ type: s.type, ...("parameters" in s ? { parameters: s.parameters } : {}) })),
      { type: PICKER },
      { type: PROFILE_HANDLER },
    ],
    schedulingProfiles: [
      {
        name: "default",
        plugins: [...PICKER_SCORERS.map((s) => ({ pluginRef: s.type, weight: s.weight })), { pluginRef: PICKER }],
      },
    ],
  };
}

/** The chart's keys for a config of one's own: the file's text, and which file the picker reads. */
export function pickerConfigValues() {
  return {
    pluginsConfigFile: PICKER_CONFIG_FILE,
    pluginsCustomConfig: { [PICKER_CONFIG_FILE]: toYaml(endpointPickerConfig()) },
  };
}
