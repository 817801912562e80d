// The web process: settings from the environment, the service on PORT, SIGTERM to drain and stop.
import { runMain } from "../common/main";
import { createWeb, webSettings } from "./app";

runMain("web", ({ env, identity, log, metrics }) => ({
  service: createWeb({ identity, log, metrics, settings: webSettings(env) }),
}));
