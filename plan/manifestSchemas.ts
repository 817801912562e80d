// Validates Kubernetes objects against published schemas: kubernetes-models (core, apps, policy,
// autoscaling, storage), @kubernetes-models/istio, @kubernetes-models/prometheus-operator,
// @kubernetes-models/karpenter, @kubernetes-models/gateway-api and @kubernetes-models/keda; the
// Inference Extension's alpha kinds against their pinned CRDs (crdSchemas.ts).
// The packages are ESM-only, so they are loaded with import() under tsx.
import { crdModel } from "./crdSchemas";

/** apiVersion → module folder holding one module per kind. */
const SCHEMA_MODULES: Record<string, string> = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "storage.k8s.io/v1": "kubernetes-models/storage.k8s.io/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "networking.istio.io/v1": "@kubernetes-models/istio/networking.istio.io/v1",
  "networking.istio.io/v1alpha3": "@kubernetes-models/istio/networking.istio.io/v1alpha3",
  "security.istio.io/v1": "@kubernetes-models/istio/security.istio.io/v1",
  "telemetry.istio.io/v1": "@kubernetes-models/istio/telemetry.istio.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  "karpenter.sh/v1": "@kubernetes-models/karpenter/karpenter.sh/v1",
  "karpenter.k8s.aws/v1": "@kubernetes-models/karpenter/karpenter.k8s.aws/v1",
  "gateway.networking.k8s.io/v1": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

export interface SchemaReport {
  valid: number;
  invalid: { object: string; error: string }[];
  /** apiVersion/kind pairs no schema package covers: listed, never silently passed. */
  uncovered: string[];
}

type Model = new (data: unknown) => { validate(): void };

function describeObject(object: KubernetesObject): string {
  const { namespace, name } = object.metadata ?? {};
  return `${object.apiVersion}/${object.kind} ${namespace ? `${namespace}/` : ""}${name ?? "(unnamed)"}`;
}

async function loadModel(apiVersion: string, kind: string): Promise<Model | undefined> {
  const fromCrd = crdModel(apiVersion, kind);
  if (fromCrd) {
    return class {
      constructor(private readonly data: unknown) {}
      validate() {
        fromCrd(this.data);
      }
    };
  }
  const folder = SCHEMA_MODULES[apiVersion];
  if (!folder) return undefined;
  try {
    const module = (await import(`${folder}/${kind}`)) as Record<string, Model>;
    return module[kind];
  } catch {
    return undefined;
  }
}

export async function validateObjects(objects: KubernetesObject[]): Promise<SchemaReport> {
  const report: SchemaReport = { valid: 0, invalid: [], uncovered: [] };
  for (const object of objects) {
    const Model = await loadModel(object.apiVersion, object.kind);
    if (!Model) {
      const kind = `${object.apiVersion}/${object.kind}`;
      if (!report.uncovered.includes(kind)) report.uncovered.push(kind);
      continue;
    }
    try {
      new Model(object).validate();
      report.valid += 1;
    } catch (error) {
      report.invalid.push({ object: describeObject(object), error: (error as Error).message });
    }
  }
  return report;
}
