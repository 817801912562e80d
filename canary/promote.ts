// `npm run canary`: promotes (or rolls back) a service version on a stack. The stack file stays the
// single source of truth: each step writes the weights into Pulumi.<stack>.yaml and applies them
// with the Automation API, which may change VirtualServices and nothing else.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { changeCollector, describeChange, pendingChanges, type ResourceChange } from "../automation/changes";
import { progressPrinter } from "../automation/progress";
import { openStack } from "../automation/stack";
import { readWeights, writeWeights } from "../automation/stackFile";
import { PROJECT, parseConfig, rawConfig, type CanaryConfig, type RootConfig } from "../components/config";
import { canarySchema } from "../components/config/serviceSchema";
import { KPS_RELEASE } from "../components/observability/values";
import { readStackFile } from "../plan/engine";
import { Interrupted, runCanary, type CanaryResult } from "./driver";
import { httpQuery, kubectlQuery, measure, type Query } from "./prometheus";
import { versionQueries } from "./queries";
import { defaultFrom, describeWeights, stepWeights, type Weights } from "./steps";

const VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService";

export interface PromoteOptions {
  /** The project directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  workDir: string;
  /** The stack's name; its file is Pulumi.<stack>.yaml. */
  stack: string;
  /** A backend organization: the stack is then <org>/ai-mesh/<stack> (Pulumi Cloud). */
  org?: string;
  /** The service's config key, e.g. objectDetector. */
  service: string;
  to?: string;
  from?: string;
  /** Overrides of the service's canary config. */
  overrides?: Partial<CanaryConfig>;
  /** Prometheus base URL; without it, the stack's Prometheus through the Kubernetes API. */
  prometheus?: string;
  /** Restore the weights the interrupted or running promotion started from. */
  rollback?: boolean;
  envVars?: Record<string, string>;
  /** Where reports and the resume state go. */
  outDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called after each applied step with the weights now in the cluster (the e2e run reads them back). */
  onApplied?: (weights: Weights) => Promise<void> | void;
}

export interface PromoteResult extends CanaryResult {
  from: string;
  to: string;
  start: Weights;
  report?: string;
}

interface ResumeState {
  from: string;
  to: string;
  start: Weights;
}

/** A change a canary step may make: an update of a VirtualService. */
export function isRoutingChange(change: ResourceChange): boolean {
  return change.op === "update" && change.type === VIRTUAL_SERVICE;
}

function loadStack(workDir: string, stack: string): { file: string; config: RootConfig } {
  const file = path.join(workDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}`);
  return { file, config: parseConfig(rawConfig(readStackFile(stack, file).config)) };
}

/** Prometheus: the URL given, or the stack's own through the API server (kubeconfig as the stack has it). */
async function prometheusQuery(options: PromoteOptions, config: RootConfig, stack: Stack): Promise<Query> {
  if (options.prometheus) return httpQuery(options.prometheus);
  const target = { namespace: config.observability.namespace, service: `${KPS_RELEASE}-prometheus`, port: 9090 };
  if (config.cluster.mode === "existing") {
    return kubectlQuery({ ...target, kubeconfig: config.cluster.kubeconfig, context: config.cluster.context });
  }
  const kubeconfig = (await stack.outputs()).kubeconfig?.value as string | undefined;
  if (!kubeconfig) throw new Error(`stack ${options.stack} has no kubeconfig output yet: run pulumi up first`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-canary-")), "kubeconfig");
  fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
  return kubectlQuery({ ...target, kubeconfig: file });
}

/** The service's canary config with the command line's overrides, validated as config is. */
export function canarySettings(config: CanaryConfig, overrides: Partial<CanaryConfig>): CanaryConfig {
  const result = canarySchema.safeParse({ ...config, ...overrides });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `--${String(issue.path[0])}: ${issue.message}`);
  throw new Error(`invalid canary settings: ${problems.join("; ")}`);
}

function statePath(options: PromoteOptions): string {
  return path.join(options.outDir, "canary", `${options.stack}-${options.service}.state.json`);
}

export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { file, config } = loadStack(options.workDir, options.stack);
  const service = config.services.list.find((s) => s.key === options.service);
  if (!service) {
    throw new Error(
      `--service ${options.service}: no such service in ${file}; services: ${config.services.list.map((s) => s.key).join(", ")}`,
    );
  }
  const current = readWeights(file, service.key);
  const stateFile = statePath(options);
  const saved = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as ResumeState) : undefined;

  const stackName = options.org ? `${options.org}/${PROJECT}/${options.stack}` : options.stack;
  const stack = await openStack({ stackName, workDir: options.workDir, envVars: options.envVars });
  const progress = progressPrinter((line) => log(`    ${line}`));
  let applied = current;
  const apply = async (weights: Weights, label: string) => {
    writeWeights(file, service.key, weights);
    const collector = changeCollector();
    try {
      await stack.up({ onEvent: (e) => (collector.onEvent(e), progress(e)), signal: options.signal });
    } catch (error) {
      // The stack file must say what the cluster has: put back what was applied last.
      writeWeights(file, service.key, applied);
      if (options.signal?.aborted) throw new Interrupted();
      throw error;
    }
    const unexpected = collector.changes.filter((c) => !isRoutingChange(c));
    if (unexpected.length > 0) {
      throw new Error(`${label} changed more than routing: ${unexpected.map(describeChange).join(", ")}`);
    }
    applied = weights;
    log(`  applied ${label}: ${describeWeights(weights)}`);
    await options.onApplied?.(weights);
  };

  if (options.rollback) {
    if (!saved)
      throw new Error(
        `nothing to roll back: no promotion of ${service.key} on ${options.stack} is under way (${stateFile})`,
      );
    await apply(saved.start, "rollback to the starting weights");
    fs.rmSync(stateFile);
    return { outcome: "rolled-back", reason: "--rollback", weights: saved.start, checks: [], ...saved };
  }

  const to = options.to;
  if (!to || !(to in current)) {
    throw new Error(`--to ${to ?? "(missing)"}: ${service.key} has versions ${Object.keys(current).join(", ")}`);
  }
  const from = options.from ?? (saved?.to === to ? saved.from : defaultFrom(current, to));
  if (!(from in current) || from === to) {
    throw new Error(`--from ${from}: must be another version of ${service.key} (${Object.keys(current).join(", ")})`);
  }
  const settings = canarySettings(service.canary, options.overrides ?? {});
  // A resumed promotion keeps the weights the first run started from, for --rollback.
  const start = saved && saved.to === to && saved.from === from ? saved.start : current;

  // A canary step deploys nothing but routing: refuse to start on a stack with anything else pending.
  const pending = await pendingChanges(stack);
  const blocking = pending.filter((c) => !isRoutingChange(c));
  if (blocking.length > 0) {
    throw new Error(
      `stack ${options.stack} has pending changes besides VirtualServices; run pulumi up first:\n` +
        blocking.map((c) => `  ${describeChange(c)}`).join("\n"),
    );
  }
  if (pending.length > 0) await apply(current, "pending routing changes");

  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify({ from, to, start } satisfies ResumeState, null, 2));
  const query = await prometheusQuery(options, config, stack);
  const steps = stepWeights(current, from, to, settings.steps);
  log(
    `promoting ${service.key} ${to} over ${from} on ${options.stack}: ${steps.length} step(s) of ${settings.interval}, ` +
      `at most ${settings.maxErrorRatePercent}% errors and ${settings.maxP99Ms} ms p99, ${settings.minRequests}+ requests per check`,
  );
  const result = await runCanary(
    { from, to, current, steps, settings },
    {
      apply,
      measure: (version) =>
        measure(query, versionQueries(config.services.namespace, service.app, version, settings.interval)),
      wait: (ms) =>
        new Promise((resolve, reject) => {
          if (options.signal?.aborted) return reject(new Interrupted());
          const timer = setTimeout(resolve, ms);
          options.signal?.addEventListener("abort", () => (clearTimeout(timer), reject(new Interrupted())), {
            once: true,
          });
        }),
      log,
    },
  );
  if (result.outcome !== "interrupted") fs.rmSync(stateFile, { force: true });
  return { ...result, from, to, start };
}
