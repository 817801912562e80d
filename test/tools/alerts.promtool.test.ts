// Every alert rule the program emits, for every committed stack, run through the real `promtool`:
// each must fire with the right labels when something is wrong and stay quiet when it is not.
import { parseConfig } from "../../components/config";
import { committedStacks } from "../../cli/project";
import { deploy } from "../../plan/engine";
import { one } from "../../plan/query";
import { stackRaw } from "../support/configFixtures";
import {
  istioRequests,
  promtoolLint,
  promtoolTest,
  traffic,
  type AlertCheck,
  type InputSeries,
  type RuleTest,
} from "../support/promtool";
import { describeWithTools } from "../support/tools";

const EVAL = "30m";
const quiet = (alertname: string, eval_time = EVAL): AlertCheck => ({ eval_time, alertname, exp_alerts: [] });

interface Canary {
  app: string;
  stable: string;
  canaries: string[];
}

function canariesOf(stack: string): Canary[] {
  return parseConfig(stackRaw(stack))
    .services.list.map((s) => ({
      app: s.app,
      stable: s.versions[0].name,
      canaries: s.versions.slice(1).map((v) => v.name),
    }))
    .filter((s) => s.canaries.length > 0);
}

function canaryAlert(app: string, version: string, stable: string) {
  return {
    exp_labels: {
      severity: "warning",
      service: app,
      destination_service_namespace: "ai",
      destination_app: app,
      destination_version: version,
    },
    exp_annotations: {
      summary: `${app} ${version} fails more often than stable ${stable}`,
      description: `20% of requests to ${app} ${version} returned 5xx over 10 minutes, more than 1 point above ${stable} (above 1% when ${stable} has no traffic); shift its weight back to ${stable}.`,
    },
  };
}

/** Histogram buckets of a service whose requests all take about `ms` milliseconds. */
function latency(app: string, ms: number): InputSeries[] {
  return [100, 500, 1000, 2500, 5000, 10000, "+Inf"].map((le) => ({
    series: `istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="ai",destination_service_name="${app}",le="${le}"}`,
    values: le === "+Inf" || Number(le) >= ms ? "0+600x60" : "0+0x60",
  }));
}

const ISTIOD_DOWN = {
  exp_labels: { severity: "critical" },
  exp_annotations: {
    summary: "istiod is down",
    description: "No istiod instance is up: config and certificates are no longer pushed to sidecars.",
  },
};

describeWithTools(["promtool"], "alert rules under promtool", () => {
  describe.each(committedStacks())("stack %s", (stack) => {
    const alerts = parseConfig(stackRaw(stack)).observability.alerts;
    let groups: unknown[];
    let gpu: boolean;
    beforeAll(async () => {
      const run = await deploy({ stack });
      groups = (
        one(run.resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec as {
          groups: unknown[];
        }
      ).groups;
      gpu = JSON.stringify(groups).includes("GpuSaturated");
    });

    it("passes promtool check rules --lint=all --lint-fatal", () => {
      expect(promtoolLint(groups)).toContain("SUCCESS");
    });

    it("every dashboard panel's PromQL parses (checked as recording rules)", async () => {
      const run = await deploy({ stack });
      const configMap = run.resources.find((r) => r.name === "observability-dashboard")!;
      const dashboard = JSON.parse((configMap.inputs.data as Record<string, string>)["ai-services.json"]);
      const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) =>
        (p.targets ?? []).map((t) => t.expr),
      );
      expect(exprs.length).toBeGreaterThan(0);
      const rules = exprs.map((expr, i) => ({ record: `ai_mesh:dashboard_panel_${i}`, expr }));
      expect(promtoolLint([{ name: "dashboard", rules }])).toContain(`SUCCESS: ${rules.length} rules found`);
    });

    it("IstiodDown: quiet while istiod is up, fires when it is down or gone", () => {
      promtoolTest(groups, [
        {
          name: "istiod up (job named after the Service's istio label)",
          input_series: [{ series: 'up{job="pilot",instance="10.0.1.5:15014"}', values: "1x60" }],
          alert_rule_test: [quiet("IstiodDown")],
        },
        {
          name: "istiod down",
          input_series: [{ series: 'up{job="pilot",instance="10.0.1.5:15014"}', values: "0x60" }],
          alert_rule_test: [{ eval_time: EVAL, alertname: "IstiodDown", exp_alerts: [ISTIOD_DOWN] }],
        },
        {
          name: "istiod gone",
          input_series: [],
          alert_rule_test: [{ eval_time: EVAL, alertname: "IstiodDown", exp_alerts: [ISTIOD_DOWN] }],
        },
      ]);
    });

    it("CanaryErrorRateAboveStable: one alert per bad canary, naming its service and version", () => {
      const tests: RuleTest[] = canariesOf(stack).flatMap(({ app, stable, canaries }) => [
        {
          name: `${app}: ${canaries[0]} at 20% 5xx, stable ${stable} at 0% (no 5xx series at all)`,
          input_series: [...traffic(app, stable, 600, 0), ...traffic(app, canaries[0], 100, 20)],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "CanaryErrorRateAboveStable",
              exp_alerts: [canaryAlert(app, canaries[0], stable)],
            },
          ],
        },
        {
          name: `${app}: every canary at 20% 5xx → one alert each`,
          input_series: [...traffic(app, stable, 600, 0), ...canaries.flatMap((c) => traffic(app, c, 100, 20))],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "CanaryErrorRateAboveStable",
              exp_alerts: canaries.map((c) => canaryAlert(app, c, stable)),
            },
          ],
        },
        {
          name: `${app}: a canary within a point of stable stays quiet`,
          input_series: [...traffic(app, stable, 600, 1), ...traffic(app, canaries[0], 200, 1.5)],
          alert_rule_test: [quiet("CanaryErrorRateAboveStable")],
        },
        {
          name: `${app}: ${canaries[0]} at 20% 5xx while stable ${stable} has no traffic at all (no series)`,
          input_series: traffic(app, canaries[0], 100, 20),
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "CanaryErrorRateAboveStable",
              exp_alerts: [canaryAlert(app, canaries[0], stable)],
            },
          ],
        },
        {
          name: `${app}: ${canaries[0]} at 20% 5xx while stable ${stable}'s series stopped growing (weight 0)`,
          input_series: [...traffic(app, stable, 0, 0), ...traffic(app, canaries[0], 100, 20)],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "CanaryErrorRateAboveStable",
              exp_alerts: [canaryAlert(app, canaries[0], stable)],
            },
          ],
        },
        {
          name: `${app}: a healthy canary with a stable version without traffic stays quiet`,
          input_series: [...traffic(app, stable, 0, 0), ...traffic(app, canaries[0], 200, 0.5)],
          alert_rule_test: [quiet("CanaryErrorRateAboveStable")],
        },
        {
          name: `${app}: a canary as bad as a bad stable stays quiet (the service alert covers it)`,
          input_series: [...traffic(app, stable, 600, 20), ...traffic(app, canaries[0], 100, 20)],
          alert_rule_test: [quiet("CanaryErrorRateAboveStable")],
        },
      ]);
      expect(tests.length).toBeGreaterThan(0);
      promtoolTest(groups, tests);
    });

    it("AiServiceHighErrorRatio and AiServiceHighLatencyP99: per service, quiet when healthy", () => {
      promtoolTest(groups, [
        {
          name: "web at 10% 5xx and slow",
          input_series: [...traffic("web", "v1", 600, 10), ...latency("web", 5000)],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "AiServiceHighErrorRatio",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", destination_service_name: "web" },
                  exp_annotations: {
                    summary: "web returns too many 5xx",
                    description: `More than ${alerts.errorRatio * 100}% of requests failed with 5xx over 5 minutes.`,
                  },
                },
              ],
            },
            {
              eval_time: EVAL,
              alertname: "AiServiceHighLatencyP99",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", destination_service_name: "web" },
                  exp_annotations: {
                    summary: "web p99 latency is high",
                    description: `p99 request latency has been above ${alerts.latencyP99Ms} ms for 10 minutes.`,
                  },
                },
              ],
            },
          ],
        },
        {
          name: "web healthy",
          input_series: [...traffic("web", "v1", 600, 1), ...latency("web", 100)],
          alert_rule_test: [quiet("AiServiceHighErrorRatio"), quiet("AiServiceHighLatencyP99")],
        },
      ]);
    });

    it("IstioMetricsMissing: quiet while proxies report, fires when none do", () => {
      promtoolTest(groups, [
        {
          name: "proxies scraped",
          input_series: [
            { series: 'istio_build{component="proxy",tag="1.30.3",job="envoy-stats"}', values: "1x60" },
            istioRequests("web", "v1", 200, 60),
          ],
          alert_rule_test: [quiet("IstioMetricsMissing")],
        },
        {
          name: "no proxy metrics",
          input_series: [],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "IstioMetricsMissing",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", component: "proxy" },
                  exp_annotations: {
                    summary: "No Envoy metrics are being scraped",
                    description:
                      "Prometheus has no istio_build series from any proxy; check the envoy-stats PodMonitor.",
                  },
                },
              ],
            },
          ],
        },
      ]);
    });

    it("GpuSaturated: fires on a busy GPU, quiet on an idle one (GPU stacks only)", () => {
      if (!gpu) return expect(JSON.stringify(groups)).not.toContain("DCGM");
      const util = (value: number) => ({
        series: `DCGM_FI_DEV_GPU_UTIL{gpu="0",Hostname="ip-10-40-1-7",modelName="NVIDIA A10G",UUID="GPU-1"}`,
        values: `${value}x60`,
      });
      promtoolTest(groups, [
        {
          name: "busy",
          input_series: [util(97)],
          alert_rule_test: [
            {
              eval_time: EVAL,
              alertname: "GpuSaturated",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", gpu: "0", Hostname: "ip-10-40-1-7" },
                  exp_annotations: {
                    summary: "GPU 0 on ip-10-40-1-7 is saturated",
                    description: `GPU utilization has been above ${alerts.gpuUtilizationPercent}% for 15 minutes; add GPU nodes or replicas.`,
                  },
                },
              ],
            },
          ],
        },
        { name: "idle", input_series: [util(40)], alert_rule_test: [quiet("GpuSaturated")] },
      ]);
    });
  });
});
