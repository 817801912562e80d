// Plan speed: CPU time (user + system, child processes included) of `npm run plan -- --stack dev`
// against the floor of merely loading the SDKs the program uses, side by side, median of N runs.
//   node scripts/benchmarks/planSpeed.cjs [runs]
const os = require("os");
const path = require("path");
const { cpuSeconds: cpu, median, planCommand: npmRunPlan } = require("./cpu.cjs");

const runs = Number(process.argv[2] ?? 7);
const out = path.join(os.tmpdir(), "ai-mesh-plan-bench");
const floorCommand =
  "node -e \"require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/kubernetes'); require('@pulumi/random')\"";
const planCommand = `${npmRunPlan} --stack dev --out ${out}`;

cpu(planCommand); // warm the bundle cache and the file system cache, as a second `npm run plan` would be
const floor = [];
const plan = [];
for (let i = 0; i < runs; i++) {
  floor.push(cpu(floorCommand));
  plan.push(cpu(planCommand));
  process.stderr.write(`  run ${i + 1}/${runs}: floor ${floor[i].toFixed(2)} s, plan ${plan[i].toFixed(2)} s\n`);
}
const ratio = median(plan) / median(floor);
console.log(
  `floor (load @pulumi/pulumi, aws, kubernetes, random): ${median(floor).toFixed(2)} s CPU (median of ${runs})`,
);
console.log(`npm run plan -- --stack dev:                        ${median(plan).toFixed(2)} s CPU (median of ${runs})`);
console.log(`ratio: ${ratio.toFixed(2)} (target ≤ 1.5)`);
