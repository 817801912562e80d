// Alert rules for the platform (PrometheusRule groups). Pure: config in, rules out. Every rule is
// proven to fire, and to stay quiet, by `promtool test rules` (test/alerts.promtool.test.ts).
import { isLlm, type ObservabilityConfig, type ServicesConfig } from "../config";
import { pickerName, poolName } from "../core/inferenceNames";
import { FIVE_XX, destinationMatchers, p99LatencyMs, requestsTotal } from "./istioMetrics";
import { VLLM, modelMatchers, modelQuantile, waitingRequests } from "./llmMetrics";
import { ISTIOD_JOB } from "./scrape";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "warning" | "critical" } & Record<string, string>;
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** What Istio puts on every request series; a canary alert is per (namespace, app, version). */
const BY_APP = "destination_service_namespace, destination_app";
const BY_VERSION = `${BY_APP}, destination_version`;

function requests(namespace: string, extra = ""): string {
  return requestsTotal(destinationMatchers({ namespace }), extra);
}

function rate(selector: string, by: string, window = "10m"): string {
  return `sum by (${by}) (rate(${selector}[${window}]))`;
}

/**
 * One rule per service with canaries: each non-stable version whose 5xx ratio is more than one
 * point above the stable version's. The stable version is the first one listed, not the heaviest,
 * so shifting weights changes only the VirtualService. A stable version without any 5xx has no
 * 5xx series at all, hence the `or … 0 *` that makes its ratio 0 instead of nothing. A stable
 * version without traffic (its weight moved away: no series, or series that stopped growing) has
 * no ratio to compare with: then the canary is held to 0, so more than a point of 5xx still fires.
 * Each alert carries destination_app and destination_version, so two bad canaries are two alerts.
 */
function canaryRules(services: ServicesConfig): AlertRule[] {
  return services.list.flatMap(({ app, versions }) => {
    if (versions.length < 2) return [];
    const stable = versions[0].name;
    const ns = services.namespace;
    const canary = `,destination_app="${app}",destination_version!="${stable}"`;
    const stableSel = `,destination_app="${app}",destination_version="${stable}"`;
    const canaryRatio = `${rate(requests(ns, canary + FIVE_XX), BY_VERSION)}\n/\n${rate(requests(ns, canary), BY_VERSION)}`;
    const stableRatio =
      `(\n  ${rate(requests(ns, stableSel + FIVE_XX), BY_APP)}\n  or on (${BY_APP})\n  0 * ${rate(requests(ns, stableSel), BY_APP)}\n)\n` +
      `/ (${rate(requests(ns, stableSel), BY_APP)} > 0)`;
    const noStableTraffic = `0 * ${rate(requests(ns, canary), BY_APP)}`;
    return [
      {
        alert: "CanaryErrorRateAboveStable",
        expr: `(\n${canaryRatio}\n)\n> on (${BY_APP}) group_left ()\n(\n(\n${stableRatio}\n)\nor on (${BY_APP})\n${noStableTraffic}\n)\n+ 0.01`,
        for: "10m",
        labels: { severity: "warning", service: app },
        annotations: {
          summary: `${app} {{ $labels.destination_version }} fails more often than stable ${stable}`,
          description: `{{ $value | humanizePercentage }} of requests to ${app} {{ $labels.destination_version }} returned 5xx over 10 minutes, more than 1 point above ${stable} (above 1% when ${stable} has no traffic); shift its weight back to ${stable}.`,
        },
      },
    ];
  });
}

const BY_MODEL = "namespace, app";

/**
 * The model is slow to answer (TTFT P99 over the bound), its queue grows faster than the autoscaler
 * drains it (GPU ceiling reached, pods pending), or a pool's endpoint picker is down: with the
 * picker gone the gateway fails that version's requests (the picker fails closed).
 */
function llmRules(config: ObservabilityConfig, services: ServicesConfig): AlertRule[] {
  const llm = services.list.filter(isLlm);
  if (llm.length === 0) return [];
  const ns = services.namespace;
  const matchers = modelMatchers({ namespace: ns });
  const { ttftP99Ms, llmWaitingRequests } = config.alerts;
  const waiting = waitingRequests(matchers, BY_MODEL);
  return [
    {
      alert: "LlmTimeToFirstTokenHigh",
      expr: `${modelQuantile(0.99, VLLM.timeToFirstToken, matchers, "5m", BY_MODEL)} > ${ttftP99Ms / 1000}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "{{ $labels.app }} takes too long to start answering",
        description: `P99 time to first token has been above ${ttftP99Ms} ms for 10 minutes: users wait before anything streams.`,
      },
    },
    {
      alert: "LlmQueueGrowing",
      expr: `${waiting} > ${llmWaitingRequests}\nand on (${BY_MODEL})\nderiv(${waiting}[10m:1m]) > 0`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "{{ $labels.app }}'s queue keeps growing",
        description: `More than ${llmWaitingRequests} requests wait for {{ $labels.app }} and the queue still grows after 10 minutes: the autoscaler cannot add replicas (GPU ceiling, pending pods).`,
      },
    },
    ...llm.flatMap((service) =>
      service.versions.map((v): AlertRule => {
        const picker = pickerName(poolName(service.app, v.name));
        return {
          alert: "InferencePickerDown",
          expr: `absent(up{namespace="${ns}",job="${picker}"} == 1)`,
          for: "5m",
          labels: { severity: "critical", service: service.app, version: v.name },
          annotations: {
            summary: `The endpoint picker of ${service.app} ${v.name} is down`,
            description: `Prometheus has not seen ${picker} up for 5 minutes; the gateway fails ${service.app} ${v.name}'s share of requests while its picker is gone.`,
          },
        };
      }),
    ),
  ];
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
            `${rate(requests(ns, FIVE_XX), "destination_service_name", "5m")}` +
            ` / ${rate(requests(ns), "destination_service_name", "5m")} > ${errorRatio}`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: "{{ $labels.destination_service_name }} returns too many 5xx",
            description: `More than ${errorRatio * 100}% of requests failed with 5xx over 5 minutes.`,
          },
        },
        {
          alert: "AiServiceHighLatencyP99",
          expr: `${p99LatencyMs(destinationMatchers({ namespace: ns }), "5m", "destination_service_name")} > ${latencyP99Ms}`,
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
          expr: `absent(up{job="${ISTIOD_JOB}"} == 1)`,
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
            summary: "No Envoy metrics are being scraped",
            description: "Prometheus has no istio_build series from any proxy; check the envoy-stats PodMonitor.",
          },
        },
      ],
    },
  ];
  const llm = llmRules(config, services);
  if (llm.length > 0) groups.push({ name: "llm", rules: llm });
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
