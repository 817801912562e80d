// The image-processor process: settings from the environment, the service on PORT, SIGTERM to drain and stop.
import { runMain } from "../common/main";
import { createImageProcessor, imageProcessorSettings } from "./app";

runMain("image-processor", ({ env, identity, log, metrics }) => ({
  service: createImageProcessor({ identity, log, metrics, settings: imageProcessorSettings(env) }),
}));
