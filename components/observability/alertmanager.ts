// Alertmanager routing: everything to one webhook receiver (Slack-compatible or any HTTP endpoint).
import { toYaml } from "../core/yaml";

export function alertmanagerConfig(webhookUrl: string): string {
  return toYaml({
    route: {
      receiver: "webhook",
      group_by: ["alertname", "namespace", "destination_service_name"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      // The Watchdog alert proves the pipeline works; it must not page anyone.
      routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
    },
    receivers: [{ name: "null" }, { name: "webhook", webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  });
}
