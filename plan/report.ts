// Renders a recorded run: the canary, model and capacity tables, plan.json and manifests/*.yaml.
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "./recorder";
import { kubernetesObjects, ofType } from "./query";
import { formatTable } from "../cli/table";
import { toYaml } from "../components/core/yaml";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

interface Destination {
  destination: { subset: string };
  weight: number;
}
interface Route {
  route: Destination[];
  mirror?: { subset: string };
  mirrorPercentage?: { value: number };
}

/** The canary split each in-mesh VirtualService applies, with the image behind each version. */
export function renderCanaryTable(resources: RecordedResource[]): string {
  const images = new Map<string, string>();
  for (const d of ofType(resources, "kubernetes:apps/v1:Deployment")) {
    const labels = (d.inputs.metadata as { labels: Record<string, string> }).labels;
    const spec = d.inputs.spec as { template: { spec: { containers: { image: string }[] } } };
    images.set(`${labels.app}/${labels.version}`, spec.template.spec.containers[0].image);
  }
  const rows = [["service", "version", "weight", "image"]];
  for (const vs of ofType(resources, "kubernetes:networking.istio.io/v1:VirtualService")) {
    const spec = vs.inputs.spec as { gateways?: string[]; http: Route[] };
    if (!spec.gateways?.includes("mesh")) continue;
    const app = (vs.inputs.metadata as { name: string }).name;
    for (const route of spec.http) {
      route.route.forEach((d, i) =>
        rows.push([
          i === 0 ? app : "",
          d.destination.subset,
          `${d.weight}%`,
          images.get(`${app}/${d.destination.subset}`) ?? "",
        ]),
      );
      if (route.mirror) {
        rows.push([
          "",
          `mirror → ${route.mirror.subset}`,
          `${route.mirrorPercentage?.value ?? 100}%`,
          "(copy of live traffic)",
        ]);
      }
    }
  }
  return formatTable(rows);
}

const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

interface ModelRoute {
  parentRefs: { name: string; namespace: string }[];
  rules: {
    matches: { headers: { name: string; value: string }[] }[];
    backendRefs: { kind: string; name: string; weight: number }[];
  }[];
}

/** What a model server Deployment serves: its image and, for vLLM, the weights it loads. */
function servedBy(resources: RecordedResource[]): Map<string, { image: string; weights: string }> {
  const served = new Map<string, { image: string; weights: string }>();
  for (const d of ofType(resources, "kubernetes:apps/v1:Deployment")) {
    const labels = (d.inputs.metadata as { labels: Record<string, string> }).labels;
    const container = (d.inputs.spec as { template: { spec: { containers: { image: string; args?: string[] }[] } } })
      .template.spec.containers[0];
    const args = container.args ?? [];
    const revision = args[args.indexOf("--revision") + 1];
    const weights =
      args[0] === "serve"
        ? `${args[1]}${args.includes("--revision") ? `@${revision.slice(0, 7)}` : ""}`
        : "(simulated)";
    served.set(`${labels.app}/${labels.version}`, { image: container.image, weights });
  }
  return served;
}

/** Each model's route: the gateway, the model name it matches, and its split between version pools. */
export function renderModelTable(resources: RecordedResource[]): string {
  // Model routes only: the LLM gateway's redirect to https is an HTTPRoute too.
  const routes = ofType(resources, HTTP_ROUTE).filter((r) =>
    (r.inputs.spec as ModelRoute).rules.some((rule) => rule.backendRefs?.some((b) => b.kind === "InferencePool")),
  );
  if (routes.length === 0) return "(no llm services)";
  const served = servedBy(resources);
  const rows = [["model", "gateway", "version", "weight", "InferencePool (picker)", "server", "weights"]];
  for (const route of routes) {
    const app = (route.inputs.metadata as { name: string }).name;
    const spec = route.inputs.spec as ModelRoute;
    const gateway = `${spec.parentRefs[0].namespace}/${spec.parentRefs[0].name}`;
    for (const rule of spec.rules) {
      const model = rule.matches[0].headers[0].value;
      rule.backendRefs.forEach((backend, i) => {
        const version = backend.name.slice(app.length + 1);
        const server = served.get(`${app}/${version}`);
        rows.push([
          i === 0 ? model : "",
          i === 0 ? gateway : "",
          version,
          `${backend.weight}%`,
          `${backend.name} (${backend.name}-epp)`,
          server?.image ?? "",
          server?.weights ?? "",
        ]);
      });
    }
  }
  return formatTable(rows);
}

function manifestFileName(object: RecordedResource): string {
  const namespace = (object.inputs.metadata as { namespace?: string } | undefined)?.namespace;
  return namespace ? `${namespace}.yaml` : "cluster-scoped.yaml";
}

/** Writes plan.json and one YAML file per namespace (plus Helm releases) under `outDir`. */
export function writePlanFiles(outDir: string, stack: string, resources: RecordedResource[], outputs: unknown): void {
  const manifestsDir = path.join(outDir, "manifests");
  // Only what a plan writes: out/ also holds the canary's reports and resume state, and charts.
  fs.rmSync(manifestsDir, { recursive: true, force: true });
  fs.mkdirSync(manifestsDir, { recursive: true });
  const plan = {
    stack,
    note: '"(known after deploy)" marks values only the cloud can compute; "[secret]" marks secrets.',
    resources: resources.map(({ urn, type, name, parent, dependencies, provider, inputs, options }) => ({
      urn,
      type,
      name,
      parent,
      dependencies,
      provider,
      inputs,
      options,
    })),
    outputs,
  };
  fs.writeFileSync(path.join(outDir, "plan.json"), JSON.stringify(plan, null, 2) + "\n");

  const files = new Map<string, unknown[]>();
  for (const object of kubernetesObjects(resources)) {
    const file = manifestFileName(object);
    files.set(file, [...(files.get(file) ?? []), JSON.parse(JSON.stringify(object.inputs))]);
  }
  const releases = ofType(resources, HELM_RELEASE).map((r) => JSON.parse(JSON.stringify(r.inputs)));
  if (releases.length > 0) files.set("helm-releases.yaml", releases);
  for (const [file, documents] of files) {
    const text = documents.map((d) => toYaml(d)).join("---\n");
    fs.writeFileSync(path.join(manifestsDir, file), text);
  }
}

interface CapacityPool {
  pool: string;
  provisioner: string;
  capacity: { cpu: number | null; memory: number | null; gpus: number | null };
  atMin: { cpu: number; memory: number; gpus: number };
  atMax: { cpu: number; memory: number; gpus: number };
  fitsMax: boolean;
  arithmetic: string;
}

interface CapacityOutput {
  note?: string;
  models?: { service: string; model: string; working: string; instanceTypes: string[] }[];
  pools: CapacityPool[];
  load: {
    service: string;
    version: string;
    sharePercent: number;
    working: string;
    replicasMax: number;
    maxRequests: number;
    maxPendingRequests: number;
  }[];
}

const cpu = (millis: number | null) => (millis === null ? "no cap" : `${(millis / 1000).toFixed(2)}`);
const mem = (mib: number | null) => (mib === null ? "no cap" : `${(mib / 1024).toFixed(1)}Gi`);
const gpus = (n: number | null) => (n === null ? "no cap" : String(n));

/** Pod demand at minimum and maximum replicas against each pool (the stack output `capacity`). */
export function renderCapacityTable(capacity: CapacityOutput | undefined): string {
  if (!capacity) return "(no capacity report)";
  const lines: string[] = [];
  if (capacity.note) lines.push(capacity.note);
  if (capacity.pools.length > 0) {
    const rows = [["pool", "nodes from", "CPU min/max/cap", "memory min/max/cap", "GPUs min/max/cap", "at max"]];
    for (const p of capacity.pools) {
      rows.push([
        p.pool,
        p.provisioner,
        `${cpu(p.atMin.cpu)} / ${cpu(p.atMax.cpu)} / ${cpu(p.capacity.cpu)}`,
        `${mem(p.atMin.memory)} / ${mem(p.atMax.memory)} / ${mem(p.capacity.memory)}`,
        `${p.atMin.gpus} / ${p.atMax.gpus} / ${gpus(p.capacity.gpus)}`,
        p.fitsMax ? "fits" : "over capacity: the HPAs cannot all reach max",
      ]);
    }
    lines.push(formatTable(rows));
    for (const p of capacity.pools) lines.push(`  ${p.pool}: ${p.arithmetic}`);
  }
  for (const m of capacity.models ?? []) {
    const on = m.instanceTypes.length > 0 ? `fits ${m.instanceTypes.join(", ")}` : "fits no GPU type";
    lines.push(`  model ${m.service} (${m.model}): ${m.working}; ${on}`);
  }
  for (const l of capacity.load) {
    lines.push(
      `  load ${l.service} ${l.version} (${l.sharePercent} % of peak): ${l.working} (replicas.max ${l.replicasMax}; connection pool up to ${l.maxRequests} requests, ${l.maxPendingRequests} pending)`,
    );
  }
  return lines.join("\n");
}
