// Every alert rule the program emits, for every committed stack, run through the real `promtool`:
// each must fire with the right labels when something is wrong and stay quiet when it is not.
import { isLlm, parseConfig } from "../../components/config";
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

    describe("llm rules", () => {
      const config = parseConfig(stackRaw(stack));
      const models = config.services.list.filter(isLlm);
      const { ttftP99Ms, llmWaitingRequests } = config.observability.alerts;
      const pod = (app: string, version: string) =>
        `namespace="ai",app="${app}",version="${version}",pod="${app}-${version}-7d9c5-abcde",model_name="m"`;
      /** A model version's TTFT histogram: 60 requests a minute, every one taking about `seconds`. */
      const ttft = (app: string, version: string, seconds: number): InputSeries[] =>
        [0.25, 0.5, 1, 2.5, 5, 10, "+Inf"].map((le) => ({
          series: `vllm:time_to_first_token_seconds_bucket{${pod(app, version)},le="${le}"}`,
          values: le === "+Inf" || Number(le) >= seconds ? "0+60x60" : "0+0x60",
        }));
      const waiting = (app: string, version: string, values: string): InputSeries => ({
        series: `vllm:num_requests_waiting{${pod(app, version)}}`,
        values,
      });
      const slow = (app: string) => ({
        exp_labels: { severity: "warning", namespace: "ai", app },
        exp_annotations: {
          summary: `${app} takes too long to start answering`,
          description: `P99 time to first token has been above ${ttftP99Ms} ms for 10 minutes: users wait before anything streams.`,
        },
      });
      const queue = (app: string) => ({
        exp_labels: { severity: "warning", namespace: "ai", app },
        exp_annotations: {
          summary: `${app}'s queue keeps growing`,
          description: `More than ${llmWaitingRequests} requests wait for ${app} and the queue still grows after 10 minutes: the autoscaler cannot add replicas (GPU ceiling, pending pods).`,
        },
      });

      it("serve a model in this stack", () => expect(models.map((m) => m.app)).toEqual(["chat"]));

      it("LlmTimeToFirstTokenHigh: fires when one version is slow, quiet when fast or without traffic", () => {
        const [v1, v2] = models[0].versions.map((v) => v.name);
        promtoolTest(groups, [
          {
            name: "v2 takes 4 s to the first token",
            input_series: [...ttft("chat", v1, 0.2), ...ttft("chat", v2, 4)],
            alert_rule_test: [{ eval_time: EVAL, alertname: "LlmTimeToFirstTokenHigh", exp_alerts: [slow("chat")] }],
          },
          {
            name: "both start answering within half a second",
            input_series: [...ttft("chat", v1, 0.2), ...ttft("chat", v2, 0.4)],
            alert_rule_test: [quiet("LlmTimeToFirstTokenHigh")],
          },
          { name: "no traffic, no series", input_series: [], alert_rule_test: [quiet("LlmTimeToFirstTokenHigh")] },
        ]);
      });

      it("LlmQueueGrowing: fires on a long, growing queue; quiet when it is long but draining, or growing but short", () => {
        const [v1, v2] = models[0].versions.map((v) => v.name);
        const over = llmWaitingRequests;
        promtoolTest(groups, [
          {
            name: "the queue grows past the bound and keeps growing (both versions)",
            input_series: [waiting("chat", v1, `${over}+1x60`), waiting("chat", v2, "2+0x60")],
            alert_rule_test: [{ eval_time: EVAL, alertname: "LlmQueueGrowing", exp_alerts: [queue("chat")] }],
          },
          {
            name: "long but flat: the autoscaler holds it",
            input_series: [waiting("chat", v1, `${over * 3}+0x60`)],
            alert_rule_test: [quiet("LlmQueueGrowing")],
          },
          {
            name: "long and draining",
            input_series: [waiting("chat", v1, `${over * 5}-1x60`)],
            alert_rule_test: [quiet("LlmQueueGrowing")],
          },
          {
            name: "growing, but short of the bound",
            input_series: [waiting("chat", v1, `0+0.1x60`)],
            alert_rule_test: [quiet("LlmQueueGrowing")],
          },
          { name: "no model servers scraped", input_series: [], alert_rule_test: [quiet("LlmQueueGrowing")] },
        ]);
      });

      it("InferencePickerDown: one alert per pool whose picker is down or gone, quiet while all are up", () => {
        const versions = models[0].versions.map((v) => v.name);
        const up = (version: string, value: number): InputSeries => ({
          series: `up{namespace="ai",job="chat-${version}-epp",instance="10.0.3.4:9090"}`,
          values: `${value}x60`,
        });
        const down = (version: string) => ({
          exp_labels: { severity: "critical", service: "chat", version },
          exp_annotations: {
            summary: `The endpoint picker of chat ${version} is down`,
            description: `Prometheus has not seen chat-${version}-epp up for 5 minutes; the gateway fails chat ${version}'s share of requests while its picker is gone.`,
          },
        });
        const pickerDown = (version: string) => ({
          eval_time: EVAL,
          alertname: "InferencePickerDown",
          exp_alerts: [down(version)],
        });
        promtoolTest(groups, [
          {
            name: "every picker up",
            input_series: versions.map((v) => up(v, 1)),
            alert_rule_test: [quiet("InferencePickerDown")],
          },
          {
            name: `${versions[1]}'s picker down, ${versions[0]}'s up`,
            input_series: [up(versions[0], 1), up(versions[1], 0)],
            alert_rule_test: [pickerDown(versions[1])],
          },
          {
            name: "no picker scraped at all",
            input_series: [],
            alert_rule_test: [
              {
                eval_time: EVAL,
                alertname: "InferencePickerDown",
                exp_alerts: versions.map(down),
              },
            ],
          },
        ]);
      });
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
