// `npm run services [-- --port 8080]`: web, image-processor and object-detector on this machine, wired
// together on loopback, the model from MODEL_PATH or the pinned download; Ctrl-C stops all three.
import { USAGE_EXIT, parseFlags, type Command } from "../cli/args";
import { localModel } from "../cli/localModel";
import { LaunchError, launch, type Launched } from "../cli/localServices";

const command = {
  usage: ["npm run services -- [--port <port>]"],
  about:
    "Starts web, image-processor and object-detector on loopback, wired together, the model from MODEL_PATH\n" +
    "or the pinned download; prints the upload page's address. Ctrl-C stops all three.",
  flags: { port: { type: "string", value: "port", help: "web's port on 127.0.0.1 (default 8080)" } },
} satisfies Command;

const raw = parseFlags(command).port ?? "8080";
const port = Number(raw);
if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
  console.error(`✗ --port ${raw} is not allowed: use a whole number from 1 to 65535`);
  process.exit(USAGE_EXIT);
}

const CTRL_C_GRACE_MS = 3000;
let launched: Launched | undefined;
let launching: Promise<Launched> | undefined;
// A signal while they start reaches launch() through this: it stops whatever it has spawned so far.
const aborting = new AbortController();
let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${why}: stopping the three services…`);
  aborting.abort();
  // Ctrl-C in a terminal reaches the three as well: they stop on it; SIGTERM only for one that does not.
  await (launched ? launched.stop(why === "Ctrl-C" ? CTRL_C_GRACE_MS : 0) : launching?.catch(() => undefined));
  console.log("stopped");
  process.exit(0);
};
process.on("SIGINT", () => void stop("Ctrl-C"));
process.on("SIGTERM", () => void stop("SIGTERM"));

async function main(): Promise<void> {
  const model = localModel(process.env, process.env.INIT_CWD ?? process.cwd());
  console.log(
    model.kind === "path"
      ? `starting web, image-processor and object-detector (model ${model.env.MODEL_PATH})…`
      : `starting web, image-processor and object-detector (model ${model.url}, downloaded once into ${model.env.MODEL_CACHE_DIR})…`,
  );
  launching = launch({ webPort: port, model, print: (line) => console.log(line), signal: aborting.signal });
  launched = await launching;
  const [web, processor, detector] = launched.services;
  console.log(
    [
      "",
      `The upload page: ${web.url}/`,
      `  web              ${web.url}  (POST /api/detect)`,
      `  image-processor  ${processor.url}`,
      `  object-detector  ${detector.url}`,
      "Ctrl-C stops all three.",
      "",
    ].join("\n"),
  );
  // One dying on its own takes the others down: half a pipeline is no use.
  const gone = await Promise.race(launched.services.map(async (s) => ({ name: s.name, code: await s.exited })));
  if (stopping) return;
  stopping = true;
  console.error(`${gone.name} exited with code ${gone.code}: stopping the others`);
  await launched.stop();
  process.exit(1);
}

main().catch(async (error: unknown) => {
  if (stopping) return;
  console.error(error instanceof LaunchError ? `\n${error.message}` : error);
  process.exit(1);
});
