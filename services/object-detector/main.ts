import { runMain } from "../common/main";
import { createObjectDetector, objectDetectorSettings } from "./app";

runMain("object-detector", ({ env, identity, log, metrics }) =>
  createObjectDetector({ identity, log, metrics, settings: objectDetectorSettings(env) }),
);
