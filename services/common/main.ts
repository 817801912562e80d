// The entry point shared by the three services: read settings, listen on PORT, start the service's
// own work (object-detector loads its model) while probes already answer, stop cleanly on SIGTERM.
import { ConfigError, envChoice, serviceIdentity, type Env } from "./env";
import { createLogger, type Level } from "./log";
import { createMetrics } from "./metrics";
import type { Service, ServiceBasics } from "./server";

export interface Built {
  service: Service;
  /** Work after the port is open, such as loading a model; failures belong in readiness. */
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}

export type Build = (context: ServiceBasics & { env: Env }) => Built;

export function runMain(defaultName: string, build: Build): void {
  const env = process.env;
  let log = createLogger({ service: env.SERVICE_NAME ?? defaultName, version: env.SERVICE_VERSION ?? "dev" });
  try {
    const identity = serviceIdentity(env, defaultName);
    const level = envChoice<Level>(env, "LOG_LEVEL", "info", ["debug", "info", "warn", "error"]);
    log = createLogger({ service: identity.name, version: identity.version, level });
    const built = build({
      env,
      identity,
      log,
      metrics: createMetrics({ service: identity.name, version: identity.version }),
    });
    const stop = async (signal: string) => {
      await built.service.shutdown(signal);
      await built.stop?.();
      process.exit(0);
    };
    process.once("SIGTERM", () => void stop("SIGTERM"));
    process.once("SIGINT", () => void stop("SIGINT"));
    // 0.0.0.0 in a pod; a launcher on a laptop keeps the services on loopback.
    const host = envChoice(env, "HOST", "0.0.0.0", ["0.0.0.0", "127.0.0.1", "::", "::1"]);
    void built.service
      .listen(identity.port, host)
      .then(() => built.start?.())
      .catch((error: unknown) => {
        log.error("failed to start", { error });
        process.exit(1);
      });
  } catch (error) {
    if (error instanceof ConfigError) log.error(`invalid configuration: ${error.message}`);
    else log.error("failed to start", { error });
    process.exit(1);
  }
}
