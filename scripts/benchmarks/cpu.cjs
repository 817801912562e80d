// What both benchmarks measure: the CPU seconds (user + system, child processes included) a shell
// command uses, run from the project root with its output discarded.
const { execFileSync } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");

function cpuSeconds(command) {
  const shell = `TIMEFORMAT='%U %S'; { time ${command} >/dev/null 2>&1; } 2>&1`;
  const [user, sys] = execFileSync("bash", ["-c", shell], { cwd: root, encoding: "utf8" })
    .trim()
    .split(/\s+/)
    .map(Number);
  return user + sys;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Exactly what `npm run plan` runs (package.json), without npm's own start-up. */
const planCommand = require(path.join(root, "package.json")).scripts.plan;

module.exports = { root, cpuSeconds, median, planCommand };
