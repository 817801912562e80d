// `promtool test rules` and `promtool check rules` on rule groups, with Istio-shaped input series.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toYaml } from "../../components/core/yaml";
import { runOrExplain } from "./tools";

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations?: Record<string, string>;
}

export interface AlertCheck {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

export interface RuleTest {
  name: string;
  input_series: InputSeries[];
  alert_rule_test: AlertCheck[];
}

function withRuleFile<T>(groups: unknown[], run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-rules-"));
  try {
    fs.writeFileSync(path.join(dir, "rules.yaml"), toYaml({ groups }));
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every test in one `promtool test rules` call; throws with promtool's report when one fails. */
export function promtoolTest(groups: unknown[], tests: RuleTest[]): string {
  return withRuleFile(groups, (dir) => {
    const file = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: tests.map(({ name, ...test }) => ({ name, interval: "1m", ...test })),
    };
    fs.writeFileSync(path.join(dir, "test.yaml"), toYaml(file));
    return runOrExplain("promtool", ["test", "rules", "test.yaml"], dir);
  });
}

/** `promtool check rules --lint=all --lint-fatal`. */
export function promtoolLint(groups: unknown[]): string {
  return withRuleFile(groups, (dir) =>
    runOrExplain("promtool", ["check", "rules", "--lint=all", "--lint-fatal", "rules.yaml"], dir),
  );
}

/** Istio's request counter as reported by the destination's sidecar. */
export function istioRequests(
  app: string,
  version: string,
  code: number,
  perMinute: number,
  namespace = "ai",
): InputSeries {
  const labels = [
    'reporter="destination"',
    `destination_service_namespace="${namespace}"`,
    `destination_service_name="${app}"`,
    `destination_app="${app}"`,
    `destination_version="${version}"`,
    `response_code="${code}"`,
    'source_workload="web"',
  ];
  return { series: `istio_requests_total{${labels.join(",")}}`, values: `0+${perMinute}x60` };
}

/** A version serving `perMinute` requests of which `errorPercent` are 503. */
export function traffic(app: string, version: string, perMinute: number, errorPercent: number): InputSeries[] {
  const errors = (perMinute * errorPercent) / 100;
  return [
    istioRequests(app, version, 200, perMinute - errors),
    ...(errors > 0 ? [istioRequests(app, version, 503, errors)] : []),
  ];
}
