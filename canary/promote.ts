// `npm run canary`: promotes (or rolls back) a service version on a stack. The stack file stays the
// single source of truth: each step writes the weights into Pulumi.<stack>.yaml, previews them and
// applies them with the Automation API, which may change routes (VirtualServices, a model's HTTPRoute)
// and nothing else.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { describeChange, pendingChanges } from "../automation/changes";
import { progressPrinter } from "../automation/progress";
import { openStack } from "../automation/stack";
import { PROJECT, isLlm, type RootConfig, type ServiceConfig } from "../components/config";
import { KPS_RELEASE } from "../components/observability/values";
import { HTTP_ROUTE, VIRTUAL_SERVICE, applyWeights, isRoutingChange, type StepTarget } from "./apply";
import { Interrupted, runCanary, type CanaryIO, type CanaryResult } from "./driver";
import { httpQuery, kubectlQuery, measure, type Query } from "./prometheus";
import { assertPoolsReady, poolReadiness, PoolNotReady, type KubeAccess } from "./readiness";
import { readWeights } from "../cli/stackFile";
import { versionQueries } from "./queries";
import { requestPromotion, type PromotionRequest, type ResumeState } from "./request";
import type { Weights } from "../components/core/weights";
import { describeWeights, stepWeights } from "./steps";
import { interruptibleWait } from "./wait";

export interface PromoteOptions extends PromotionRequest {
  /** A backend organization: the stack is then <org>/ai-mesh/<stack> (Pulumi Cloud). */
  org?: string;
  /** Prometheus base URL; without it, the stack's Prometheus through the Kubernetes API. */
  prometheus?: string;
  envVars?: Record<string, string>;
  /** Asks the run to stop: between operations, and during an update when cancelUpdates. */
  signal?: AbortSignal;
  /**
   * Whether the signal also cancels a running update (SIGINT to the Pulumi CLI, which then finishes
   * what is in flight). Off for a terminal: Ctrl-C reaches the CLI itself, and a second SIGINT would
   * make it quit without finishing. Default true.
   */
  cancelUpdates?: boolean;
  log?: (line: string) => void;
  /** Called after each applied step with the weights now in the cluster (the e2e run reads them back). */
  onApplied?: (weights: Weights) => Promise<void> | void;
  /** Every engine event of every preview and update (the e2e run interrupts an update with it). */
  onEvent?: (event: EngineEvent) => void;
}

export interface PromoteResult extends CanaryResult {
  from: string;
  to: string;
  start: Weights;
}

/** How kubectl reaches the stack's cluster: the config's kubeconfig, or (EKS) the stack's output. */
async function kubeAccess(options: PromoteOptions, config: RootConfig, stack: Stack): Promise<KubeAccess> {
  if (config.cluster.mode === "existing") {
    return { kubeconfig: config.cluster.kubeconfig, context: config.cluster.context };
  }
  const kubeconfig = (await stack.outputs()).kubeconfig?.value as string | undefined;
  if (!kubeconfig) throw new Error(`stack ${options.stack} has no kubeconfig output yet: run pulumi up first`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-canary-")), "kubeconfig");
  fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
  return { kubeconfig: file };
}

/** Prometheus: the URL given, or the stack's own through the API server. */
function prometheusQuery(options: PromoteOptions, config: RootConfig, access: KubeAccess): Query {
  if (options.prometheus) return httpQuery(options.prometheus);
  const target = { namespace: config.observability.namespace, service: `${KPS_RELEASE}-prometheus`, port: 9090 };
  return kubectlQuery({ ...target, ...access });
}

/** Reads a version's pool readiness through the cluster (readiness.ts; tests pass their own). */
export type PoolReader = typeof poolReadiness;

/** Refuses weights that a model version's pool, without a ready endpoint, could not serve. */
function poolsCheck(config: RootConfig, app: string, access: KubeAccess, read: PoolReader = poolReadiness) {
  const namespace = config.services.namespace;
  return (before: Weights, after: Weights) =>
    assertPoolsReady({ namespace, app }, before, after, read(access, namespace, app));
}

/** What a promotion's loop is given: how to apply, measure, wait, and (a model) check its pools. */
export interface PromotionWiring {
  config: RootConfig;
  service: ServiceConfig;
  interval: string;
  access: KubeAccess;
  query: Query;
  apply: CanaryIO["apply"];
  signal?: AbortSignal;
  log: (line: string) => void;
  readPools?: PoolReader;
}

/** The loop's I/O for one service: a model version's pool must have a ready endpoint before it gets weight. */
export function promotionIO(wiring: PromotionWiring): CanaryIO {
  const { config, service, access } = wiring;
  return {
    apply: wiring.apply,
    checkPools: isLlm(service) ? poolsCheck(config, service.app, access, wiring.readPools) : undefined,
    measure: (version) =>
      measure(wiring.query, versionQueries(config.services.namespace, service.app, version, wiring.interval)),
    wait: (ms) => interruptibleWait(ms, wiring.signal),
    log: wiring.log,
  };
}

export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Everything the stack file can refuse is refused here, before the Pulumi CLI is needed.
  const promotion = requestPromotion(options);
  const { file, config, service, current, stateFile } = promotion;

  const stackName = options.org ? `${options.org}/${PROJECT}/${options.stack}` : options.stack;
  const stack = await openStack({ stackName, workDir: options.workDir, envVars: options.envVars });
  const progress = progressPrinter((line) => log(`    ${line}`));
  const target: StepTarget = {
    stack,
    file,
    service: service.key,
    route: isLlm(service) ? HTTP_ROUTE : VIRTUAL_SERVICE,
    namespace: config.services.namespace,
    app: service.app,
  };
  const apply = async (weights: Weights, label: string) => {
    await applyWeights(target, weights, label, {
      signal: options.signal,
      cancelUpdates: options.cancelUpdates ?? true,
      log,
      progress,
      onEvent: options.onEvent,
    });
    log(`  applied ${label}: ${describeWeights(weights)}`);
    await options.onApplied?.(weights);
  };

  if (promotion.kind === "rollback") {
    const { saved } = promotion;
    if (isLlm(service))
      await poolsCheck(config, service.app, await kubeAccess(options, config, stack))(current, saved.start);
    try {
      await apply(saved.start, "rollback to the starting weights");
    } catch (error) {
      if (error instanceof Interrupted) {
        return { outcome: "interrupted", weights: error.weights ?? current, checks: [], ...saved };
      }
      throw error;
    }
    fs.rmSync(stateFile);
    return { outcome: "rolled-back", reason: "--rollback", weights: saved.start, checks: [], ...saved };
  }

  const { from, to, start, settings } = promotion;
  // A canary step deploys nothing but routing: refuse to start on a stack with anything else pending.
  const pending = await pendingChanges(stack);
  const blocking = pending.filter((c) => !isRoutingChange(c));
  if (blocking.length > 0) {
    throw new Error(
      `stack ${options.stack} has pending changes besides routes; run pulumi up first:\n` +
        blocking.map((c) => `  ${describeChange(c)}`).join("\n"),
    );
  }
  try {
    if (pending.length > 0) await apply(current, "pending routing changes");
  } catch (error) {
    if (error instanceof Interrupted) {
      return { outcome: "interrupted", weights: error.weights ?? current, checks: [], from, to, start };
    }
    throw error;
  }

  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify({ from, to, start } satisfies ResumeState, null, 2));
  // The cluster is read for metrics (without --prometheus) and, for a model, its pools' readiness.
  const access = !options.prometheus || isLlm(service) ? await kubeAccess(options, config, stack) : {};
  const query = prometheusQuery(options, config, access);
  const steps = stepWeights(current, from, to, settings.steps);
  log(
    `promoting ${service.key} ${to} over ${from} on ${options.stack}: ${steps.length} step(s) of ${settings.interval}, ` +
      `at most ${settings.maxErrorRatePercent}% errors and ${settings.maxP99Ms} ms p99, ${settings.minRequests}+ requests per check`,
  );
  const result = await runCanary(
    { from, to, current, steps, settings },
    promotionIO({ config, service, interval: settings.interval, access, query, apply, signal: options.signal, log }),
  ).catch((error: unknown) => {
    // Refused before anything of this promotion was applied: no promotion is under way.
    if (error instanceof PoolNotReady && start === current && readWeights(file, service.key)[to] === current[to]) {
      fs.rmSync(stateFile, { force: true });
    }
    throw error;
  });
  if (result.outcome !== "interrupted") fs.rmSync(stateFile, { force: true });
  return { ...result, from, to, start };
}
