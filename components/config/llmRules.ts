// Cross-field rules of llm services and `ai-mesh:llm`. Pure: config in, problems out.
import type { Problem } from "../core/problems";
import { s3Bucket } from "./llmSchema";
import { modelProblems } from "./modelRules";
import { versionModel } from "./modelVersions";
import { isLlm, type LlmServiceConfig, type RootConfig } from "./schema";

/**
 * The endpoint picker is named "<release>-epp" from the first 40 characters of the release name
 * (the inferencepool chart's helper): longer "<app>-<version>" names would collide once truncated.
 */
export const MAX_POOL_NAME = 40;

function modelSourceProblems(path: string, service: LlmServiceConfig, eks: boolean): Problem[] {
  if (service.model.server === "simulator") return [];
  const sources = [
    { at: `${path}.model`, source: service.model.source, revision: service.model.revision },
    ...service.versions
      .map((v, i) => ({ v, i }))
      .filter(({ v }) => v.model)
      .map(({ v, i }) => ({ at: `${path}.versions[${i}].model`, ...versionModel(service, v) })),
  ];
  return sources.flatMap(({ at, source, revision }): Problem[] => {
    if (s3Bucket(source)) {
      const problems: Problem[] = [];
      if (revision) {
        problems.push({ path: `${at}.revision`, message: `pins a hub commit, but the source ${source} is in S3` });
      }
      if (!eks) {
        problems.push({
          path: `${at}.source`,
          message: `"${source}" is read with EKS Pod Identity, which an existing cluster does not have here; use a hub repository`,
        });
      }
      return problems;
    }
    return revision
      ? []
      : [
          {
            path: `${at}.revision`,
            message: `is required for the hub model ${source}: the 40-character commit every replica loads (a branch can move under a running fleet)`,
          },
        ];
  });
}

function gpuProblems(path: string, service: LlmServiceConfig, gpuCluster: boolean): Problem[] {
  const { server, tensorParallelSize } = service.model;
  if (server === "simulator") {
    return service.gpu > 0
      ? [{ path: `${path}.gpu`, message: `is ${service.gpu}, but the simulator runs on a CPU; set it to 0` }]
      : [];
  }
  if (!gpuCluster) {
    return [
      {
        path: `${path}.model.server`,
        message:
          'is "vllm", which needs NVIDIA GPUs, and this cluster has none (cluster.gpu false); use "simulator" here',
      },
    ];
  }
  if (service.gpu !== tensorParallelSize) {
    return [
      {
        path: `${path}.gpu`,
        message: `is ${service.gpu}, but model.tensorParallelSize ${tensorParallelSize} spreads each replica over ${tensorParallelSize} GPU(s); leave gpu out or make them equal`,
      },
    ];
  }
  return [];
}

function nameProblems(path: string, service: LlmServiceConfig): Problem[] {
  const longest = service.versions
    .map((v) => `${service.app}-${v.name}`)
    .reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length <= MAX_POOL_NAME) return [];
  return [
    {
      path,
      message: `the InferencePool "${longest}" would be ${longest.length} characters, more than ${MAX_POOL_NAME} (its endpoint picker is named from the first ${MAX_POOL_NAME}); shorten the service or version names`,
    },
  ];
}

/** Each model name routes to one service: the HTTPRoutes would otherwise match the same header. */
function uniqueModelNames(services: LlmServiceConfig[]): Problem[] {
  return services.flatMap((service, i) => {
    const first = services.findIndex((s) => s.model.name === service.model.name);
    if (first === i) return [];
    return [
      {
        path: `services.${service.key}.model.name`,
        message: `"${service.model.name}" is also served by services.${services[first].key}; a model name routes to one service (make it a version of that service to split traffic)`,
      },
    ];
  });
}

function callGraphProblems(config: RootConfig, llm: LlmServiceConfig[]): Problem[] {
  const keys = llm.map((s) => s.key);
  return config.callGraph.flatMap((edge, i) =>
    (["from", "to"] as const)
      .filter((end) => keys.includes(edge[end]))
      .map((end) => ({
        path: `callGraph[${i}].${end}`,
        message: `"${edge[end]}" is an llm service: clients reach it through the LLM gateway (ai-mesh:llm.gateway) and it calls nothing, so it has no edges in the call graph`,
      })),
  );
}

export function llmProblems(config: RootConfig): Problem[] {
  const llm = config.services.list.filter(isLlm);
  if (llm.length === 0) return [];
  const eks = config.cluster.mode === "eks";
  const gpuCluster = eks || (config.cluster.mode === "existing" && config.cluster.gpu);
  const problems: Problem[] = llm.flatMap((service) => {
    const path = `services.${service.key}`;
    return [
      ...modelSourceProblems(path, service, eks),
      ...gpuProblems(path, service, gpuCluster),
      ...nameProblems(path, service),
      ...modelProblems(path, service),
    ];
  });
  problems.push(...uniqueModelNames(llm), ...callGraphProblems(config, llm));
  if (!config.observability.enabled) {
    problems.push({
      path: "observability.enabled",
      message: `is false, but llm services (${llm.map((s) => s.key).join(", ")}) scale on vLLM's queue, which KEDA reads from the stack's Prometheus`,
    });
  }
  const gateway = config.llm.gateway;
  if (config.llm.clientRateLimit && !gateway.jwt) {
    problems.push({
      path: "llm.clientRateLimit",
      message: "counts requests per client by the subject of its token, but llm.gateway.jwt is not set: set it",
    });
  }
  const limit = config.llm.clientRateLimit;
  if (limit?.burst !== undefined && limit.burst < limit.requestsPerMinute) {
    problems.push({
      path: "llm.clientRateLimit.burst",
      message: `${limit.burst} is below requestsPerMinute ${limit.requestsPerMinute}: a client could never make its minute's requests; leave it out (it defaults to requestsPerMinute) or raise it`,
    });
  }
  if (gateway.minReplicas > gateway.maxReplicas) {
    problems.push({
      path: "llm.gateway",
      message: `minReplicas ${gateway.minReplicas} is greater than maxReplicas ${gateway.maxReplicas}`,
    });
  }
  return problems;
}
