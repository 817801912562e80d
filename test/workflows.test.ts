import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../cli/project";
import { COST_COMMENT_MARKER } from "../plan/costReport";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- workflow YAML
const workflow = (name: string): Json => parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", name), "utf8"));
const steps = (wf: Json, job: string): Json[] => wf.jobs[job].steps;
const step = (wf: Json, job: string, action: string): Json =>
  steps(wf, job).find((s) => s.uses?.startsWith(`${action}@`));

/**
 * Each action the workflows use, at a release whose action.yml says `runs.using: node24` (read at the
 * tag in the action's own repository): GitHub retires the Node 20 runtime of the releases before.
 */
const NODE24_RELEASES: Record<string, string> = {
  "actions/checkout": "v7.0.1",
  "actions/setup-node": "v7.0.0",
  "actions/upload-artifact": "v6.0.0",
  "aws-actions/configure-aws-credentials": "v6.2.3",
  "pulumi/actions": "v7.0.0",
  "docker/setup-qemu-action": "v4.2.0",
  "docker/setup-buildx-action": "v4.3.0",
  "docker/login-action": "v4.1.0",
  "docker/build-push-action": "v7.3.0",
  "helm/kind-action": "v1.14.0",
};

describe("GitHub workflows", () => {
  const files = fs.readdirSync(path.join(ROOT, ".github", "workflows"));

  it("use only action releases built for Node 24", () => {
    const used = new Set<string>();
    for (const file of files) {
      const wf = workflow(file);
      for (const job of Object.values<Json>(wf.jobs)) {
        for (const s of job.steps ?? []) if (s.uses) used.add(s.uses);
      }
    }
    const expected = Object.entries(NODE24_RELEASES).map(([action, version]) => `${action}@${version}`);
    expect([...used].sort()).toEqual(expected.sort());
  });

  it("are valid YAML and pin every action to an exact release", () => {
    expect(files.sort()).toEqual([
      "canary.yml",
      "checks.yml",
      "deploy.yml",
      "e2e.yml",
      "images.yml",
      "pull-request.yml",
    ]);
    for (const file of files) {
      const wf = workflow(file);
      for (const job of Object.values<Json>(wf.jobs)) {
        if (job.uses) expect(job.uses).toBe("./.github/workflows/checks.yml");
        for (const s of job.steps ?? []) {
          if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
        }
      }
    }
  });

  it("never echoes a secret, and uses only the Pulumi token and passphrase (and GHCR's token to push images)", () => {
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8");
      const runs = Object.values<Json>(workflow(file).jobs).flatMap((j) =>
        (j.steps ?? []).map((s: Json) => s.run ?? ""),
      );
      expect(runs.join("\n")).not.toMatch(/secrets\.|PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE/);
      const allowed = file === "images.yml" ? ["GITHUB_TOKEN"] : ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"];
      for (const match of text.matchAll(/\$\{\{ secrets\.(\w+) \}\}/g)) expect(allowed).toContain(match[1]);
    }
  });

  it("runs the offline checks from .nvmrc with all three lockfiles", () => {
    const checks = workflow("checks.yml");
    expect(step(checks, "checks", "actions/setup-node").with["node-version-file"]).toBe(".nvmrc");
    const runs = steps(checks, "checks")
      .map((s) => s.run)
      .filter(Boolean)
      .join("\n");
    // The policy pack and the services are installed by the root postinstall, from their own lockfiles.
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.postinstall).toBe(
      "npm ci --prefix policy --no-audit --no-fund && npm ci --prefix services --no-audit --no-fund",
    );
    expect(step(checks, "checks", "actions/setup-node").with["cache-dependency-path"].trim().split("\n")).toEqual([
      "package-lock.json",
      "policy/package-lock.json",
      "services/package-lock.json",
    ]);
    for (const command of [
      "npm ci --no-audit --no-fund",
      "npm run typecheck",
      "npm run lint",
      "npm run jest",
      "npm run test:services",
      "npm run plan:all",
    ]) {
      expect(runs).toContain(command);
    }
  });

  it("previews the dev stack on pull requests with the policy pack and comments on the PR", () => {
    const pr = workflow("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(pr.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(pr.concurrency.group).toContain("github.event.pull_request.number");
    expect(pr.jobs.preview.needs).toBe("checks");
    expect(step(pr, "preview", "aws-actions/configure-aws-credentials").with["role-to-assume"]).toBe(
      "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
    );
    const preview = step(pr, "preview", "pulumi/actions");
    expect(preview.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      policyPacks: "policy",
      policyPackConfigs: "policy/config/dev.json",
    });
    expect(preview.with["stack-name"]).toMatch(/\/dev$/);
    expect(preview.env).toEqual({
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
    });
  });

  it("comments the dev stack's estimated cost and its change against the base branch on pull requests", () => {
    const pr = workflow("pull-request.yml");
    const cost = pr.jobs.cost;
    expect(cost.needs).toBe("checks");
    expect(cost.if).toBe(pr.jobs.preview.if);
    const checkouts = steps(pr, "cost").filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.map((s) => s.with ?? {})).toEqual([
      {},
      { ref: "${{ github.event.pull_request.base.sha }}", path: "base" },
    ]);
    const runs = steps(pr, "cost").map((s) => s.run ?? "");
    expect(runs).toContain("npm run plan -- --stack dev --out out/head");
    const base = steps(pr, "cost").find((s) => s["working-directory"] === "base");
    expect(base.run).toContain("npm run plan -- --stack dev --out out/base");
    expect(runs).toContain(
      "npm run --silent cost:comment -- --stack dev --head out/head/cost.json --base base/out/base/cost.json > cost.md",
    );
    const comment = steps(pr, "cost").at(-1);
    expect(comment.run).toContain(`startswith("${COST_COMMENT_MARKER}")`);
    expect(comment.run).toContain('gh pr comment "$PR" --repo "$REPO" --body-file cost.md');
    expect(comment.env.GH_TOKEN).toBe("${{ github.token }}");
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts["cost:comment"]).toBe(
      "node scripts/run.cjs scripts/costComment.ts",
    );
  });

  it("deploys dev on push to main behind a GitHub environment, and other stacks on demand", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push.branches).toEqual(["main"]);
    expect(deploy.on.workflow_dispatch.inputs.stack.default).toBe("dev");
    expect(deploy.jobs.deploy.environment).toBe("${{ inputs.stack || 'dev' }}");
    expect(deploy.jobs.deploy.concurrency["cancel-in-progress"]).toBe(false);
    expect(step(deploy, "deploy", "pulumi/actions").with).toMatchObject({ command: "up", policyPacks: "policy" });
    expect(fs.existsSync(path.join(ROOT, "policy", "config", "dev.json"))).toBe(true);
  });

  it("runs the end-to-end lifecycle on a kind cluster with the pinned Pulumi CLI", () => {
    const e2e = workflow("e2e.yml");
    expect(Object.keys(e2e.on)).toEqual(["pull_request", "push", "workflow_dispatch"]);
    const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    expect(step(e2e, "e2e", "pulumi/actions").with).toEqual({ "pulumi-version": pinned });
    expect(step(e2e, "e2e", "helm/kind-action").with).toEqual({ cluster_name: "ai-mesh" });
    // The local stack's images exist in the kind cluster before `up`, built from services/.
    const load = steps(e2e, "e2e").find((s) => s.run?.includes("kind load docker-image"));
    const stack = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8");
    for (const image of new Set(stack.match(/ghcr\.io\/ai-mesh\/ai-mesh-[\w-]+:[\w.-]+/g))) {
      const [name, tag] = image.split(":");
      expect(load.run).toContain(`-t "${name}:\${version}${tag.replace(/^[\d.]+/, "")}"`);
    }
    expect(steps(e2e, "e2e").indexOf(load)).toBeLessThan(steps(e2e, "e2e").findIndex((s) => s.run === "npm run e2e"));
    const run = steps(e2e, "e2e").find((s) => s.run === "npm run e2e");
    expect(run.env.KUBECONFIG).toBe("/home/runner/.kube/config");
    // The kind cluster's context is the one the committed local stack names.
    expect(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8")).toContain("context: kind-ai-mesh");
  });

  it("tests the services, then pushes their images to GHCR on version tags only", () => {
    const images = workflow("images.yml");
    expect(images.on).toEqual({ push: { tags: ["v*.*.*"] } });
    expect(images.permissions).toEqual({ contents: "read" });
    expect(images.jobs.images.permissions).toEqual({ contents: "read", packages: "write" });
    expect(images.jobs.images.needs).toBe("test");
    expect(
      steps(images, "test")
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(["npm ci --prefix services --no-audit --no-fund", "npm test --prefix services"]);
    const services = images.jobs.images.strategy.matrix.include.map((entry: Json) => entry.service + entry.suffix);
    expect(services).toEqual(["web", "image-processor", "object-detector", "object-detector-cpu"]);
    // Graviton system nodes take web, image-processor and the CPU detector; the CUDA one is amd64, as the
    // config's refusal of an Arm GPU group says.
    const platforms = images.jobs.images.strategy.matrix.include.map((entry: Json) => entry.platforms);
    expect(platforms).toEqual([
      "linux/amd64,linux/arm64",
      "linux/amd64,linux/arm64",
      "linux/amd64",
      "linux/amd64,linux/arm64",
    ]);
    expect(steps(images, "images").map((s) => s.uses)).toContain("docker/setup-qemu-action@v4.2.0");
    for (const entry of images.jobs.images.strategy.matrix.include) {
      expect(fs.existsSync(path.join(ROOT, "services", "docker", `${entry.service}.Dockerfile`))).toBe(true);
    }
    expect(step(images, "images", "docker/build-push-action").with).toMatchObject({
      context: "services",
      file: "services/docker/${{ matrix.service }}.Dockerfile",
      platforms: "${{ matrix.platforms }}",
      push: true,
    });
  });

  it("promotes a canary on demand with the deploy credentials, committing nothing", () => {
    const canary = workflow("canary.yml");
    expect(Object.keys(canary.on)).toEqual(["workflow_dispatch"]);
    expect(Object.keys(canary.on.workflow_dispatch.inputs)).toEqual(["stack", "service", "version", "steps"]);
    expect(canary.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(canary.jobs.canary.concurrency).toEqual({
      group: "deploy-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    expect(step(canary, "canary", "aws-actions/configure-aws-credentials").with["role-to-assume"]).toBe(
      "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
    );
    const run = steps(canary, "canary").find((s) => s.run?.includes("npm run canary"));
    expect(run.run).toContain('--stack "$STACK" --org "$PULUMI_ORG" --service "$SERVICE" --to "$VERSION"');
    expect(run.env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
    const all = steps(canary, "canary")
      .map((s) => s.run ?? "")
      .join("\n");
    expect(all).not.toMatch(/git (commit|push)/);
  });
});
