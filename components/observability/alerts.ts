// Alert rules for the platform (PrometheusRule groups). Pure: config in, rules out.
import type { ObservabilityConfig, ServicesConfig } from "../config";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "warning" | "critical" };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

function requests(namespace: string, extra = ""): string {
  return `istio_requests_total{reporter="destination",destination_service_namespace="${namespace}"${extra}}`;
}

/** 5xx ratio of one version of an app over 10 minutes, as a single unlabelled series. */
function versionErrorRatio(namespace: string, app: string, version: string): string {
  const selector = `,destination_app="${app}",destination_version="${version}"`;
  return (
    `(sum(rate(${requests(namespace, `${selector},response_code=~"5.."`)}[10m]))` +
    ` / sum(rate(${requests(namespace, selector)}[10m])))`
  );
}

/**
 * One rule per canary: its error ratio is worse than the stable version's. The stable version is
 * the first one listed, not the heaviest, so shifting weights changes only the VirtualService.
 */
function canaryRules(services: ServicesConfig): AlertRule[] {
  return services.list.flatMap(({ app, versions }) => {
    if (versions.length < 2) return [];
    const stable = versions[0];
    return versions
      .filter((v) => v.name !== stable.name)
      .map((canary) => ({
        alert: "CanaryErrorRateAboveStable",
        expr: `${versionErrorRatio(services.namespace, app, canary.name)} > ${versionErrorRatio(services.namespace, app, stable.name)} + 0.01`,
        for: "10m",
        labels: { severity: "warning" as const },
        annotations: {
          summary: `${app} ${canary.name} fails more often than stable ${stable.name}`,
          description: `The 5xx ratio of ${app} ${canary.name} is more than 1 point above ${stable.name}; shift its weight back to ${stable.name}.`,
        },
      }));
  });
}

export function alertGroups(config: ObservabilityConfig, services: ServicesConfig, gpu: boolean): RuleGroup[] {
  const ns = services.namespace;
  const { errorRatio, latencyP99Ms, gpuUtilizationPercent } = config.alerts;
  const groups: RuleGroup[] = [
    {
      name: "ai-services",
      rules: [
        {
          alert: "AiServiceHighErrorRatio",
          expr:
            `sum by (destination_service_name) (rate(${requests(ns, ',response_code=~"5.."')}[5m]))` +
            ` / sum by (destination_service_name) (rate(${requests(ns)}[5m])) > ${errorRatio}`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: "{{ $labels.destination_service_name }} returns too many 5xx",
            description: `More than ${errorRatio * 100}% of requests failed with 5xx over 5 minutes.`,
          },
        },
        {
          alert: "AiServiceHighLatencyP99",
          expr:
            `histogram_quantile(0.99, sum by (destination_service_name, le) ` +
            `(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="${ns}"}[5m])))` +
            ` > ${latencyP99Ms}`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: "{{ $labels.destination_service_name }} p99 latency is high",
            description: `p99 request latency has been above ${latencyP99Ms} ms for 10 minutes.`,
          },
        },
        ...canaryRules(services),
      ],
    },
    {
      name: "istio",
      rules: [
        {
          alert: "IstiodDown",
          expr: `absent(up{job="istiod"} == 1)`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: "istiod is down",
            description: "No istiod instance is up: config and certificates are no longer pushed to sidecars.",
          },
        },
        {
          alert: "IstioMetricsMissing",
          expr: `absent(istio_build{component="proxy"})`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: "No Envoy sidecar metrics are being scraped",
            description: "Prometheus has no istio_build series from any proxy; check the envoy-stats PodMonitor.",
          },
        },
      ],
    },
  ];
  if (gpu) {
    groups.push({
      name: "gpu",
      rules: [
        {
          alert: "GpuSaturated",
          expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL) > ${gpuUtilizationPercent}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is saturated",
            description: `GPU utilization has been above ${gpuUtilizationPercent}% for 15 minutes; add GPU nodes or replicas.`,
          },
        },
      ],
    });
  }
  return groups;
}
