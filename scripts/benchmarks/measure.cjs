// What the plan benchmarks share: their command line (numbers only, util.parseArgs strict), the wall
// time a command takes as a user sees it (from the project root, output discarded), the command
// `npm run plan` runs, and stack files with N services.
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { parseArgs } = require("util");

const root = path.resolve(__dirname, "..", "..");

/** Wall seconds of one run of a shell command. */
function wallSeconds(command) {
  const started = process.hrtime.bigint();
  execFileSync("bash", ["-c", `${command} >/dev/null 2>&1`], { cwd: root, stdio: "ignore" });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Exactly what `npm run plan` runs (package.json), without npm's own start-up. */
const planCommand = require(path.join(root, "package.json")).scripts.plan;
/** The node flags `npm run plan` runs with, so the floor is measured with the same ones. */
const nodeFlags = (/^node((?:\s+-\S+)*)\s+scripts\/run\.cjs\b/.exec(planCommand)?.[1] ?? "").trim();

/** The local stack with services svc1..svcN, three versions each, all called through the edge. */
function stackFile(dir, n) {
  const base = fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8");
  const services = Array.from({ length: n }, (_, i) => {
    const name = `svc${i + 1}`;
    const versions = [60, 30, 10]
      .map((weight, v) => `        - { name: v${v + 1}, image: ghcr.io/example/${name}:1.${v}.0, weight: ${weight} }`)
      .join("\n");
    return `    ${name}:\n      profile: cpu-inference\n      versions:\n${versions}\n      replicas: { min: 1, max: 2 }\n`;
  });
  const edges = Array.from(
    { length: n },
    (_, i) => `    - { from: ingressGateway, to: svc${i + 1}, methods: [GET], paths: ["/svc${i + 1}/*"] }`,
  );
  const servicesAt = base.indexOf("  ai-mesh:services:");
  const text = `${base.slice(0, servicesAt)}  ai-mesh:services:\n    namespace: ai\n${services.join("")}  ai-mesh:callGraph:\n${edges.join("\n")}\n`;
  const file = path.join(dir, `Pulumi.scale${n}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** The plan of a generated stack with N services: its command line. */
function planOfServices(dir, n) {
  const file = stackFile(dir, n);
  return `${planCommand} --stack scale${n} --stack-file ${file} --out ${path.join(dir, `out${n}`)}`;
}

/**
 * The numbers a benchmark is given (`usage` names them): --help prints the usage (exit 0); a flag or
 * anything but a positive whole number is refused with it (exit 2).
 */
function numbersFromArgs(usage) {
  let positionals;
  try {
    const parsed = parseArgs({
      options: { help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
    if (parsed.values.help) {
      console.log(usage);
      process.exit(0);
    }
    positionals = parsed.positionals;
  } catch (error) {
    const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
    console.error(`✗ ${unknown ? `unknown flag ${unknown}` : error.message.split("\n")[0]}\n\n${usage}`);
    process.exit(2);
  }
  const wrong = positionals.find((arg) => !/^[1-9]\d*$/.test(arg));
  if (wrong !== undefined) {
    console.error(`✗ "${wrong}" is not a positive whole number\n\n${usage}`);
    process.exit(2);
  }
  return positionals.map(Number);
}

module.exports = { numbersFromArgs, root, wallSeconds, median, planCommand, nodeFlags, planOfServices };
