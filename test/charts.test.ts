import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CRD_MANIFESTS } from "../components/charts/manifests";
import { CHARTS, ISTIO_REPO, chartArgs, istioChart, requiredCharts } from "../components/charts/pins";
import { parseConfig } from "../components/config";
import { chartNeeds } from "../components/preflight";
import { chartSourceProblems } from "../components/charts/source";
import { deploy, runProgram, type RunOptions } from "../plan/engine";
import { type ConfigValues } from "../cli/stackFile";
import { ofType } from "../plan/query";
import { MANAGED_GPUS, devRawWith, stackRaw } from "./support/configFixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KPS = CHARTS.kubePrometheusStack;

describe("chartArgs: where a pinned chart comes from", () => {
  it("installs from the upstream repository by default", () => {
    expect(chartArgs(KPS, {})).toEqual({
      chart: "kube-prometheus-stack",
      version: "83.6.0",
      repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
    });
  });

  it("takes the packaged file from a directory, as helm package names it", () => {
    expect(chartArgs(KPS, { directory: "/srv/charts" })).toEqual({
      chart: "/srv/charts/kube-prometheus-stack-83.6.0.tgz",
    });
  });

  it("takes every chart from one mirror repository, http or OCI", () => {
    expect(chartArgs(KPS, { repository: "https://charts.corp.example/ai-mesh" })).toEqual({
      chart: "kube-prometheus-stack",
      version: "83.6.0",
      repositoryOpts: { repo: "https://charts.corp.example/ai-mesh" },
    });
    expect(chartArgs(KPS, { repository: "oci://123456789012.dkr.ecr.us-west-2.amazonaws.com/helm/" })).toEqual({
      chart: "oci://123456789012.dkr.ecr.us-west-2.amazonaws.com/helm/kube-prometheus-stack",
      version: "83.6.0",
    });
  });

  it("maps only the upstreams listed in repositories", () => {
    const source = { repositories: { [ISTIO_REPO]: "https://mirror.corp.example/istio" } };
    expect(chartArgs(istioChart("istiod", "1.30.3"), source)).toEqual({
      chart: "istiod",
      version: "1.30.3",
      repositoryOpts: { repo: "https://mirror.corp.example/istio" },
    });
    expect(chartArgs(KPS, source).repositoryOpts).toEqual({ repo: KPS.repo });
  });
});

describe("charts config errors", () => {
  const problems = (charts: ConfigValues, required = requiredCharts(chartNeeds(parseConfig(devRawWith(() => {}))))) =>
    chartSourceProblems(parseConfig(devRawWith((r) => (r.charts = charts))).charts, required).map(
      (p) => `${p.path}: ${p.message}`,
    );
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-charts-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rejects two sources at once", () => {
    expect(problems({ directory: dir, repository: "https://charts.corp.example" })).toEqual([
      "charts: sets directory and repository; choose one of directory, repository, repositories",
    ]);
  });

  it("rejects a mirror for a repository the stack never installs from", () => {
    expect(problems({ repositories: { "https://charts.bitnami.com/bitnami": "https://mirror.corp.example" } })).toEqual(
      [
        `charts.repositories["https://charts.bitnami.com/bitnami"]: is not a repository this stack installs from; known: ${ISTIO_REPO}, https://prometheus-community.github.io/helm-charts, https://jaegertracing.github.io/helm-charts, https://kiali.org/helm-charts, https://nvidia.github.io/dcgm-exporter/helm-charts, https://nvidia.github.io/k8s-device-plugin, https://kubernetes-sigs.github.io/metrics-server/, oci://registry.k8s.io/gateway-api-inference-extension/charts, https://kedacore.github.io/charts, oci://public.ecr.aws/karpenter`,
      ],
    );
  });

  it("rejects a repository URL that is not http(s) or oci", () => {
    expect(() => parseConfig(devRawWith((r) => (r.charts = { repository: "ftp://charts" })))).toThrow(
      'charts.repository: must be an http(s):// or oci:// repository URL (got "ftp://charts")',
    );
  });

  it("rejects a directory that does not exist", () => {
    expect(problems({ directory: path.join(dir, "nope") })).toEqual([
      `charts.directory: "${path.join(dir, "nope")}" is not a directory`,
    ]);
  });

  it("names every packaged chart the directory lacks", () => {
    fs.writeFileSync(path.join(dir, "base-1.30.3.tgz"), "");
    fs.writeFileSync(path.join(dir, "jaeger-4.1.0.tgz"), "");
    expect(problems({ directory: dir })).toEqual([
      `charts.directory: "${dir}" lacks istiod-1.30.3.tgz, gateway-1.30.3.tgz, kube-prometheus-stack-83.6.0.tgz, kiali-server-2.29.0.tgz, dcgm-exporter-4.8.2.tgz, nvidia-device-plugin-0.19.0.tgz, karpenter-1.8.5.tgz, metrics-server-3.12.2.tgz, inferencepool-v1.4.0.tgz, body-based-routing-v1.4.0.tgz, keda-2.20.2.tgz (helm pull <repo>/<chart> --version <version> writes them)`,
    ]);
  });

  it("names the CRD bundles the directory lacks, with where to get them", () => {
    const manifests = Object.values(CRD_MANIFESTS);
    fs.writeFileSync(path.join(dir, manifests[0].file), "");
    const config = parseConfig(devRawWith((r) => (r.charts = { directory: dir })));
    expect(chartSourceProblems(config.charts, [], manifests).map((p) => `${p.path}: ${p.message}`)).toEqual([
      `charts.directory: "${dir}" lacks the CRD bundles gateway-api-inference-extension-v1.4.0-manifests.yaml (npm run charts writes them; or download https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/v1.4.0/manifests.yaml)`,
    ]);
  });
});

describe("charts from a directory, through the program", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-charts-"));
    for (const ref of requiredCharts({
      istioVersion: "1.30.3",
      observability: true,
      gpu: true,
      devicePlugin: true,
      karpenter: true,
      metricsServer: true,
      llm: true,
      keda: true,
    }))
      fs.writeFileSync(path.join(dir, `${ref.chart}-${ref.version}.tgz`), "");
    for (const ref of Object.values(CRD_MANIFESTS)) fs.writeFileSync(path.join(dir, ref.file), "");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("points every Release at its packaged file, with no repository", async () => {
    const run = await deploy({ config: { "ai-mesh:charts": { directory: dir } } });
    const releases = ofType(run.resources, RELEASE);
    expect(releases.map((r) => path.relative(dir, String(r.inputs.chart))).sort()).toEqual([
      "base-1.30.3.tgz",
      "body-based-routing-v1.4.0.tgz",
      "dcgm-exporter-4.8.2.tgz",
      // The ingress gateway and the LLM gateway; a pool per model version.
      "gateway-1.30.3.tgz",
      "gateway-1.30.3.tgz",
      "inferencepool-v1.4.0.tgz",
      "inferencepool-v1.4.0.tgz",
      "istiod-1.30.3.tgz",
      "jaeger-4.1.0.tgz",
      "karpenter-1.8.5.tgz",
      "keda-2.20.2.tgz",
      "kiali-server-2.29.0.tgz",
      "kube-prometheus-stack-83.6.0.tgz",
      "metrics-server-3.12.2.tgz",
      "nvidia-device-plugin-0.19.0.tgz",
    ]);
    // The CRD bundles come from the same directory.
    const crds = run.resources.filter((r) => r.type === "kubernetes:yaml/v2:ConfigFile");
    expect(crds.map((r) => r.inputs.file).sort()).toEqual(
      Object.values(CRD_MANIFESTS)
        .map((ref) => path.join(dir, ref.file))
        .sort(),
    );
    for (const release of releases) {
      expect(release.inputs.version).toBeUndefined();
      expect(release.inputs.repositoryOpts).toBeUndefined();
    }
  });

  it("fails before registering anything when a chart is missing", async () => {
    fs.renameSync(path.join(dir, "jaeger-4.1.0.tgz"), path.join(dir, "jaeger.tgz.bak"));
    try {
      const run = await runProgram({ config: { "ai-mesh:charts": { directory: dir } } });
      expect(run.error?.message).toBe(
        `Invalid stack config (1 problem):\n  - charts.directory: "${dir}" lacks jaeger-4.1.0.tgz (helm pull <repo>/<chart> --version <version> writes them)`,
      );
      expect(run.resources.filter((r) => r.custom)).toEqual([]);
    } finally {
      fs.renameSync(path.join(dir, "jaeger.tgz.bak"), path.join(dir, "jaeger-4.1.0.tgz"));
    }
  });
});

describe("requiredCharts lists exactly the releases the program installs", () => {
  const cases: [string, RunOptions][] = [
    ["dev", { stack: "dev" }],
    ["local", { stack: "local" }],
    ["local with GPUs", { stack: "local", config: { "ai-mesh:cluster": { gpu: true } } }],
    [
      "dev with a managed Bottlerocket GPU group",
      {
        config: {
          "ai-mesh:cluster": {
            ...MANAGED_GPUS["ai-mesh:cluster"],
            gpuNodes: { ...MANAGED_GPUS["ai-mesh:cluster"].gpuNodes, amiType: "BOTTLEROCKET_x86_64_NVIDIA" },
          },
        },
      },
    ],
    [
      "dev without observability (and so without its llm service)",
      { config: { "ai-mesh:observability": { enabled: false }, "ai-mesh:services": { chat: undefined } } },
    ],
    ["dev with the cluster's own KEDA", { config: { "ai-mesh:llm": { keda: "present" } } }],
  ];
  it.each(cases)("%s", async (_, options) => {
    const repository = "https://charts.corp.example";
    const run = await deploy({ ...options, config: { ...options.config, "ai-mesh:charts": { repository } } });
    // A chart may be installed more than once (two gateways, a pool per model version).
    const installed = [...new Set(ofType(run.resources, RELEASE).map((r) => `${r.inputs.chart}@${r.inputs.version}`))];
    const config = parseConfig(stackRaw(options.stack ?? "dev", options.config));
    const required = requiredCharts(chartNeeds(config)).map((ref) => `${ref.chart}@${ref.version}`);
    expect(installed.sort()).toEqual(required.sort());
  });
});
