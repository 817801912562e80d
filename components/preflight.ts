// The checks that need more than the config's own shape, run once before any resource is
// registered: every chart the stack installs against where it takes charts from, and every pod
// against the nodes that can hold it. index.ts runs them; so does every plan, through index.ts.
import { capacityReport, type CapacityReport } from "./capacity/check";
import { CRD_MANIFESTS, type ManifestRef } from "./charts/manifests";
import { requiredCharts, type ChartNeeds } from "./charts/pins";
import { chartSourceProblems } from "./charts/source";
import { needsDevicePlugin } from "./cluster/gpu";
import { gpuEnabled, isLlm, type RootConfig } from "./config";
import { ConfigError } from "./core/problems";

export interface Preflight {
  /** Pod demand against node capacity (checked: every minimum fits). */
  capacity: CapacityReport;
}

/** What decides the stack's Helm releases (see requiredCharts). */
export function chartNeeds(config: RootConfig): ChartNeeds {
  return {
    istioVersion: config.istio.version,
    observability: config.observability.enabled,
    gpu: gpuEnabled(config),
    devicePlugin: config.cluster.mode === "eks" && needsDevicePlugin(config.cluster.gpuNodes),
    karpenter: config.cluster.mode === "eks" && config.cluster.gpuNodes.provisioner === "karpenter",
    metricsServer: config.cluster.metricsServer === "install",
    llm: hasLlm(config),
    keda: hasLlm(config) && config.llm.keda === "install",
  };
}

export function hasLlm(config: Pick<RootConfig, "services">): boolean {
  return config.services.list.some(isLlm);
}

/** The CRD bundles a stack installs: the Gateway API and the Inference Extension, for llm services. */
export function requiredManifests(config: RootConfig): ManifestRef[] {
  return hasLlm(config) && config.llm.crds === "install" ? Object.values(CRD_MANIFESTS) : [];
}

/** Throws a ConfigError naming what cannot work; returns what the checks worked out. */
export function preflight(config: RootConfig): Preflight {
  const charts = chartSourceProblems(config.charts, requiredCharts(chartNeeds(config)), requiredManifests(config));
  if (charts.length > 0) throw new ConfigError(charts);
  // Pods that can never fit their nodes would stay Pending and time `pulumi up` out: refuse now.
  const capacity = capacityReport(config, gpuEnabled(config));
  if (capacity.problems.length > 0) throw new ConfigError(capacity.problems);
  return { capacity };
}
