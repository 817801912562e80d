// Plan scale: wall time of `npm run plan` with N services × 3 versions, for N up to 50: the time per
// N, the cost per service from a least-squares line, and how well a line fits (R²).
//   node scripts/benchmarks/planScale.cjs [N...]
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { root, wallSeconds, median, planOfServices, numbersFromArgs } = require("./measure.cjs");

const sizes = numbersFromArgs(
  "usage: npm run bench:plan:scale -- [N...]\n\nTimes `npm run plan` of generated stacks of N services × 3 versions (default 3 10 20 30 40 50)\nand fits a line: the cost per service.",
);
const counts = sizes.length > 0 ? sizes : [3, 10, 20, 30, 40, 50];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-scale-"));

const points = counts.map((n) => {
  const plan = planOfServices(dir, n);
  execFileSync("bash", ["-c", plan], { cwd: root, stdio: "ignore" }); // must plan cleanly (and warms the cache)
  const seconds = median([1, 2, 3, 4, 5].map(() => wallSeconds(plan)));
  const resources = JSON.parse(fs.readFileSync(path.join(dir, `out${n}`, "plan.json"), "utf8")).resources.length;
  console.log(
    `${String(n).padStart(3)} services × 3 versions: ${String(resources).padStart(5)} resources, ${seconds.toFixed(2)} s wall`,
  );
  return [n, seconds];
});
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const xs = points.map(([n]) => n);
const ys = points.map(([, s]) => s);
const slope =
  xs.reduce((sum, x, i) => sum + (x - mean(xs)) * (ys[i] - mean(ys)), 0) /
  xs.reduce((sum, x) => sum + (x - mean(xs)) ** 2, 0);
const intercept = mean(ys) - slope * mean(xs);
const r2 =
  1 -
  ys.reduce((sum, y, i) => sum + (y - (intercept + slope * xs[i])) ** 2, 0) /
    ys.reduce((sum, y) => sum + (y - mean(ys)) ** 2, 0);
console.log(
  `linear fit: ${intercept.toFixed(2)} s + ${(slope * 1000).toFixed(0)} ms per service (R² ${r2.toFixed(3)})`,
);
fs.rmSync(dir, { recursive: true, force: true });
