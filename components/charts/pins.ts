// Every Helm chart the program installs, pinned in code, and where each release takes it from:
// the upstream repository, a mirror, or a directory of packaged charts (config `ai-mesh:charts`).
import * as path from "path";
import type { ChartsConfig } from "../config/schema";
import { INFERENCE_EXTENSION_MODULE, INFERENCE_EXTENSION_VERSION } from "./inferenceExtension";

export interface ChartRef {
  chart: string;
  version: string;
  /** The upstream Helm repository. */
  repo: string;
  /** Where this pin was checked to exist. */
  checked: string;
  /**
   * The chart's source in a Go module, identical to the published package: `npm run charts`
   * packages it from the Go module proxy for offline use (the e2e run, air-gapped mirrors).
   */
  goModule?: {
    path: string;
    version: string;
    dir: string;
    /**
     * Stamp the pinned version into the package (`helm package --version --app-version`): the
     * module holds the chart with a placeholder version that its release pipeline stamps the same way.
     */
    stampVersion?: boolean;
    /**
     * The chart depends on sibling charts by `file://` (the inferencepool chart on ../epplib): its
     * folder is packaged from a copy of the module's chart folder, dependencies built first.
     */
    localDependencies?: boolean;
  };
}

export const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";
export const ISTIO_CHARTS = ["base", "istiod", "gateway"] as const;

/** Istio's charts at the configured Istio version (one version for all three). */
export function istioChart(chart: (typeof ISTIO_CHARTS)[number], version: string): ChartRef {
  return {
    chart,
    version,
    repo: ISTIO_REPO,
    checked: "Istio release 1.30.3 (github.com/istio/istio/releases), packaged from manifests/charts",
  };
}

export const CHARTS = {
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "83.6.0",
    repo: "https://prometheus-community.github.io/helm-charts",
    checked: "prometheus-community/helm-charts release kube-prometheus-stack-83.6.0",
  },
  jaeger: {
    chart: "jaeger",
    version: "4.1.0",
    repo: "https://jaegertracing.github.io/helm-charts",
    checked: "jaegertracing/helm-charts release jaeger-4.1.0",
  },
  kiali: {
    chart: "kiali-server",
    version: "2.29.0",
    repo: "https://kiali.org/helm-charts",
    // 2.31.0 was never published to the repository index.
    checked: "kiali.org/helm-charts index (newest confirmed there: 2.29.0)",
  },
  dcgmExporter: {
    chart: "dcgm-exporter",
    version: "4.8.2",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    checked: "nvidia.github.io/dcgm-exporter/helm-charts index",
  },
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    version: "0.19.0",
    repo: "https://nvidia.github.io/k8s-device-plugin",
    checked: "nvidia.github.io/k8s-device-plugin index (NVIDIA/k8s-device-plugin v0.19.0)",
  },
  metricsServer: {
    chart: "metrics-server",
    version: "3.12.2",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    checked:
      "kubernetes-sigs/metrics-server release metrics-server-helm-chart-3.12.2 (app 0.7.2), in the repository index",
    // The chart as released sits unchanged in the v0.8.0 module (its Chart.yaml says 3.12.2).
    goModule: { path: "sigs.k8s.io/metrics-server", version: "v0.8.0", dir: "charts/metrics-server" },
  },
  inferencePool: {
    chart: "inferencepool",
    version: INFERENCE_EXTENSION_VERSION,
    repo: "oci://registry.k8s.io/gateway-api-inference-extension/charts",
    checked:
      "gateway-api-inference-extension v1.4.0 site-src/_includes/epp.md (helm install --version $IGW_CHART_VERSION … oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool; guides/index.md: IGW_CHART_VERSION=${IGW_LATEST_RELEASE})",
    // Chart.yaml says 0.0.0 and depends on ../epplib (file://); releases stamp the tag, and values.yaml pins epp:v1.4.0.
    goModule: {
      path: INFERENCE_EXTENSION_MODULE,
      version: INFERENCE_EXTENSION_VERSION,
      dir: "config/charts/inferencepool",
      stampVersion: true,
      localDependencies: true,
    },
  },
  bodyBasedRouting: {
    chart: "body-based-routing",
    version: INFERENCE_EXTENSION_VERSION,
    repo: "oci://registry.k8s.io/gateway-api-inference-extension/charts",
    checked:
      "gateway-api-inference-extension v1.4.0 config/charts/body-based-routing, published beside inferencepool (site-src/guides/serving-multiple-inference-pools-latest.md: helm install … charts/body-based-routing)",
    goModule: {
      path: INFERENCE_EXTENSION_MODULE,
      version: INFERENCE_EXTENSION_VERSION,
      dir: "config/charts/body-based-routing",
      stampVersion: true,
    },
  },
  keda: {
    chart: "keda",
    version: "2.20.2",
    repo: "https://kedacore.github.io/charts",
    checked: "github.com/kedacore/charts/releases/tag/v2.20.2 (Chart: v2.20.2 | App: v2.20.2)",
    // The repository has no go.mod: the proxy serves its tags as +incompatible versions.
    goModule: { path: "github.com/kedacore/charts", version: "v2.20.2+incompatible", dir: "keda" },
  },
  karpenter: {
    chart: "karpenter",
    version: "1.8.5",
    repo: "oci://public.ecr.aws/karpenter",
    checked:
      "github.com/aws/karpenter-provider-aws/releases/tag/v1.8.5 (deployed by zalando-incubator/kubernetes-on-aws#10401)",
  },
} as const satisfies Record<string, ChartRef>;

/** The file `helm package` writes for a chart: <chart>-<version>.tgz. */
export function packagedChartFile(directory: string, ref: ChartRef): string {
  return path.join(directory, `${ref.chart}-${ref.version}.tgz`);
}

export interface ReleaseChart {
  chart: string;
  version?: string;
  repositoryOpts?: { repo: string };
}

/** Release arguments that install exactly the pinned chart from the configured source. */
export function chartArgs(ref: ChartRef, source: ChartsConfig): ReleaseChart {
  if (source.directory) return { chart: packagedChartFile(source.directory, ref) };
  const repo = source.repository ?? source.repositories?.[ref.repo] ?? ref.repo;
  if (repo.startsWith("oci://")) return { chart: `${repo.replace(/\/+$/, "")}/${ref.chart}`, version: ref.version };
  return { chart: ref.chart, version: ref.version, repositoryOpts: { repo } };
}

/** Every upstream repository a chart comes from: the keys `charts.repositories` may map. */
export function upstreamRepositories(): string[] {
  return [...new Set([ISTIO_REPO, ...Object.values(CHARTS).map((ref) => ref.repo)])];
}

/** What decides which releases a stack installs; the program's components follow the same rules. */
export interface ChartNeeds {
  istioVersion: string;
  observability: boolean;
  gpu: boolean;
  /** The NVIDIA device plugin: EKS GPU nodes on an AMI without one (AL2023). */
  devicePlugin: boolean;
  /** Karpenter: EKS with gpuNodes.provisioner karpenter. */
  karpenter: boolean;
  /** metrics-server: cluster.metricsServer install. */
  metricsServer: boolean;
  /** The inference extension's charts: an llm service exists. */
  llm: boolean;
  /** KEDA: an llm service exists and llm.keda is install. */
  keda: boolean;
}

/** The charts a stack installs, so a chart source can be checked before anything is registered. */
export function requiredCharts(needs: ChartNeeds): ChartRef[] {
  return [
    ...ISTIO_CHARTS.map((chart) => istioChart(chart, needs.istioVersion)),
    ...(needs.observability ? [CHARTS.kubePrometheusStack, CHARTS.jaeger, CHARTS.kiali] : []),
    ...(needs.observability && needs.gpu ? [CHARTS.dcgmExporter] : []),
    ...(needs.devicePlugin ? [CHARTS.nvidiaDevicePlugin] : []),
    ...(needs.karpenter ? [CHARTS.karpenter] : []),
    ...(needs.metricsServer ? [CHARTS.metricsServer] : []),
    ...(needs.llm ? [CHARTS.inferencePool, CHARTS.bodyBasedRouting] : []),
    ...(needs.keda ? [CHARTS.keda] : []),
  ];
}
