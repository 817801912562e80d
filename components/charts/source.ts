// Checks `ai-mesh:charts` against the charts (and CRD bundles) the stack will install, before any
// resource exists: one source at a time, mirrors only for known upstreams, every file present.
import * as fs from "fs";
import * as path from "path";
import type { ManifestRef } from "./manifests";
import { packagedChartFile, upstreamRepositories, type ChartRef } from "./pins";
import type { Problem } from "../core/problems";
import type { ChartsConfig } from "../config/schema";

export function chartSourceProblems(
  charts: ChartsConfig,
  required: ChartRef[],
  manifests: readonly ManifestRef[] = [],
): Problem[] {
  const set = (["directory", "repository", "repositories"] as const).filter((key) => charts[key] !== undefined);
  if (set.length > 1) {
    return [
      { path: "charts", message: `sets ${set.join(" and ")}; choose one of directory, repository, repositories` },
    ];
  }
  const upstreams = upstreamRepositories();
  const problems: Problem[] = Object.keys(charts.repositories ?? {})
    .filter((upstream) => !upstreams.includes(upstream))
    .map((upstream) => ({
      path: `charts.repositories["${upstream}"]`,
      message: `is not a repository this stack installs from; known: ${upstreams.join(", ")}`,
    }));
  const directory = charts.directory;
  if (directory === undefined) return problems;
  if (!fs.statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    return [...problems, { path: "charts.directory", message: `"${directory}" is not a directory` }];
  }
  const missing = required.filter((ref) => !fs.existsSync(packagedChartFile(directory, ref)));
  if (missing.length > 0) {
    problems.push({
      path: "charts.directory",
      message: `"${directory}" lacks ${missing.map((ref) => `${ref.chart}-${ref.version}.tgz`).join(", ")} (helm pull <repo>/<chart> --version <version> writes them)`,
    });
  }
  const missingManifests = manifests.filter((ref) => !fs.existsSync(path.join(directory, ref.file)));
  if (missingManifests.length > 0) {
    problems.push({
      path: "charts.directory",
      message: `"${directory}" lacks the CRD bundles ${missingManifests.map((ref) => ref.file).join(", ")} (npm run charts writes them; or download ${missingManifests.map((ref) => ref.url).join(", ")})`,
    });
  }
  return problems;
}
