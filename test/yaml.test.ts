// The one YAML writer: readable, stable, and read back as written by YAML 1.1 readers (Go's yaml.v2 in
// Helm, Prometheus and Alertmanager) as well as YAML 1.2 ones.
import { parse } from "yaml";
import { toYaml } from "../components/core/yaml";
import { alertmanagerConfig } from "../components/observability/alertmanager";

const readBack = (text: string) => ({ v11: parse(text, { version: "1.1" }), v12: parse(text, { version: "1.2" }) });

describe("toYaml", () => {
  // Strings a YAML 1.1 reader would turn into booleans, numbers, dates or null if written plain.
  const tricky = {
    enabled: "on",
    answer: "yes",
    off: "Off",
    duration: "1:30",
    mode: "0777",
    day: "2024-01-01",
    n: "n",
    nothing: "null",
    tilde: "~",
    number: "1e3",
    script: "line 1\nline 2\n",
    matcher: 'alertname = "Watchdog"',
    url: "https://hooks.example.com/T000/B000",
    long: "word ".repeat(30).trim(),
    list: [1, true, null],
  };

  it("quotes what a YAML 1.1 reader would misread, folds nothing, and reads back equal", () => {
    const text = toYaml(tricky);
    expect(text).toBe(
      [
        'enabled: "on"',
        'answer: "yes"',
        '"off": "Off"',
        'duration: "1:30"',
        'mode: "0777"',
        'day: "2024-01-01"',
        '"n": "n"',
        'nothing: "null"',
        'tilde: "~"',
        'number: "1e3"',
        "script: |",
        "  line 1",
        "  line 2",
        'matcher: alertname = "Watchdog"',
        "url: https://hooks.example.com/T000/B000",
        `long: ${"word ".repeat(30).trim()}`,
        "list:",
        "  - 1",
        "  - true",
        "  - null",
        "",
      ].join("\n"),
    );
    expect(readBack(text)).toEqual({ v11: tricky, v12: tricky });
  });

  it("writes a repeated object twice, never as an anchor and alias", () => {
    const shared = { cpu: "100m" };
    expect(toYaml({ a: shared, b: shared })).toBe("a:\n  cpu: 100m\nb:\n  cpu: 100m\n");
  });

  it("writes Alertmanager's config as readable YAML that reads back as the routing it states", () => {
    const text = alertmanagerConfig("https://hooks.example.com/T000/B000");
    expect(text).toBe(
      [
        "route:",
        "  receiver: webhook",
        "  group_by:",
        "    - alertname",
        "    - namespace",
        "    - destination_service_name",
        "  group_wait: 30s",
        "  group_interval: 5m",
        "  repeat_interval: 4h",
        "  routes:",
        '    - receiver: "null"',
        "      matchers:",
        '        - alertname = "Watchdog"',
        "receivers:",
        '  - name: "null"',
        "  - name: webhook",
        "    webhook_configs:",
        "      - url: https://hooks.example.com/T000/B000",
        "        send_resolved: true",
        "",
      ].join("\n"),
    );
    const { v11, v12 } = readBack(text);
    expect(v11).toEqual(v12);
    expect(v11.route.routes).toEqual([{ receiver: "null", matchers: ['alertname = "Watchdog"'] }]);
    expect(v11.receivers[0]).toEqual({ name: "null" });
  });
});
