// A pinned Helm chart and the Release arguments that install exactly that version.

export interface ChartRef {
  chart: string;
  version: string;
  repo: string;
}

export function chartArgs(ref: ChartRef): { chart: string; version: string; repositoryOpts: { repo: string } } {
  return { chart: ref.chart, version: ref.version, repositoryOpts: { repo: ref.repo } };
}
