// Plan scale: `npm run plan` of the local stack with N services × 3 versions, for N up to 50:
// prints CPU per N, the cost per service from a least-squares line, and how well a line fits.
//   node scripts/benchmarks/planScale.cjs [N...]
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { root, cpuSeconds, median, planCommand: plan } = require("./cpu.cjs");

const sizes = process.argv.slice(2).map(Number);
const counts = sizes.length > 0 ? sizes : [10, 20, 30, 40, 50];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-scale-"));

/** The local stack with services svc1..svcN, three versions each, all called by web's caller. */
function stackFile(n) {
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

const points = counts.map((n) => {
  const file = stackFile(n);
  const args = `--stack scale${n} --stack-file ${file} --out ${path.join(dir, `out${n}`)}`;
  execFileSync("bash", ["-c", `${plan} ${args}`], { cwd: root, stdio: "ignore" }); // must plan cleanly
  const seconds = median([1, 2, 3].map(() => cpuSeconds(`${plan} ${args}`)));
  const resources = JSON.parse(fs.readFileSync(path.join(dir, `out${n}`, "plan.json"), "utf8")).resources.length;
  console.log(
    `${String(n).padStart(3)} services × 3 versions: ${String(resources).padStart(5)} resources, ${seconds.toFixed(2)} s CPU`,
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
