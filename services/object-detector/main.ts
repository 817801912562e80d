// The object-detector process: the service on PORT at once, the model loaded after, SIGTERM to stop.
import { runMain } from "../common/main";
import { createObjectDetector, objectDetectorSettings } from "./app";

runMain("object-detector", ({ env, identity, log, metrics }) =>
  createObjectDetector({ identity, log, metrics, settings: objectDetectorSettings(env) }),
);
