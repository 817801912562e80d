// Plan speed as a user waits for it: wall time of `npm run plan` at 3 and at 50 services (generated
// stacks) and of the dev stack (3 HTTP services and a model with its LLM layer), against the floor of
// merely loading the SDKs the program uses, with the same node flags on both sides; median of N runs
// each, interleaved so drift hits all alike.
//   node scripts/benchmarks/planSpeed.cjs [runs]
const fs = require("fs");
const os = require("os");
const path = require("path");
const { wallSeconds: wall, median, planCommand, nodeFlags, planOfServices, numbersFromArgs } = require("./measure.cjs");

const [runs = 7, ...extra] = numbersFromArgs(
  "usage: npm run bench:plan -- [runs]\n\nTimes `npm run plan` (3 and 50 generated services, the dev stack) against loading the SDKs alone;\nthe median of `runs` interleaved runs each (default 7).",
);
if (extra.length > 0) {
  console.error("✗ one number at most: the runs");
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-plan-bench-"));
const floorCommand =
  `node ${nodeFlags} -e "require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/kubernetes'); require('@pulumi/random')"`.replace(
    /\s+/g,
    " ",
  );
const plans = {
  "3 services": planOfServices(dir, 3),
  "dev stack": `${planCommand} --stack dev --out ${path.join(dir, "dev")}`,
  "50 services": planOfServices(dir, 50),
};

for (const command of Object.values(plans)) wall(command); // warm the bundle cache and the file system cache
const floor = [];
const times = Object.fromEntries(Object.keys(plans).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  floor.push(wall(floorCommand));
  for (const [name, command] of Object.entries(plans)) times[name].push(wall(command));
  process.stderr.write(
    `  run ${i + 1}/${runs}: floor ${floor[i].toFixed(2)} s, ${Object.entries(times)
      .map(([name, t]) => `${name} ${t[i].toFixed(2)} s`)
      .join(", ")}\n`,
  );
}
console.log(`node flags: ${nodeFlags || "(none)"}`);
console.log(
  `floor (load @pulumi/pulumi, aws, kubernetes, random): ${median(floor).toFixed(2)} s wall (median of ${runs})`,
);
for (const [name, t] of Object.entries(times)) {
  console.log(
    `plan, ${name.padEnd(16)}: ${median(t).toFixed(2)} s wall, ratio ${(median(t) / median(floor)).toFixed(2)}`,
  );
}
console.log("target: ratio ≤ 1.5 at 3 services; growth per service: npm run bench:plan:scale");
fs.rmSync(dir, { recursive: true, force: true });
