// Cross-field rules zod cannot say field by field. Pure: config in, problems out.
import { clusterProblems } from "./clusterRules";
import { durationMs } from "./durations";
import { gatewayProblems } from "./gatewayRules";
import { versionReplicas } from "./replicas";
import type { Problem } from "../core/problems";
import { llmProblems } from "./llmRules";
import { isLlm, type HttpServiceConfig, type RootConfig, type ServiceConfig } from "./schema";
import { INGRESS_CALLER } from "../core/names";

/** Versions may run fewer replicas than the service, never a canary more than the stable version (KServe's rule). */
function versionReplicaProblems(path: string, service: ServiceConfig): Problem[] {
  const stable = service.versions[0];
  const stableMin = versionReplicas(service, stable).min;
  return service.versions.flatMap((version, i) => {
    const range = versionReplicas(service, version);
    const where = `${path}.versions[${i}].replicas`;
    // An inherited range upside down is the service's problem, reported once at its own key.
    if (version.replicas && range.min > range.max) {
      return [{ path: where, message: `min ${range.min} is greater than max ${range.max}` }];
    }
    if (i > 0 && range.min > stableMin) {
      return [
        {
          path: where,
          message: `min ${range.min} is above the stable version ${stable.name}'s min ${stableMin}; a canary never needs more than stable`,
        },
      ];
    }
    return [];
  });
}

/** Canary rules every service shares (DESIGN.md, "Canary rules"), then its kind's own. */
export function serviceProblems(path: string, service: ServiceConfig, environment: string): Problem[] {
  const problems: Problem[] = [];
  const names = service.versions.map((v) => v.name);
  const duplicates = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (duplicates.length > 0) {
    problems.push({
      path: `${path}.versions`,
      message: `duplicate version name(s) ${duplicates.join(", ")}; names must be unique`,
    });
  }
  const sum = service.versions.reduce((total, v) => total + v.weight, 0);
  if (sum !== 100) {
    problems.push({ path: `${path}.versions`, message: `weights sum to ${sum}, must be 100` });
  }
  if (!service.versions.some((v) => v.weight > 0)) {
    problems.push({ path: `${path}.versions`, message: "at least one version must have a weight above 0" });
  }
  if (service.replicas.min > service.replicas.max) {
    problems.push({
      path: `${path}.replicas`,
      message: `min ${service.replicas.min} is greater than max ${service.replicas.max}`,
    });
  }
  problems.push(...versionReplicaProblems(path, service));
  if (!isLlm(service)) problems.push(...httpServiceProblems(path, service, environment));
  return problems;
}

/** Istio route rules: mirror targets, retries within the timeout, no faults beside retries or in production. */
function httpServiceProblems(path: string, service: HttpServiceConfig, environment: string): Problem[] {
  const problems: Problem[] = [];
  const names = service.versions.map((v) => v.name);
  if (service.mirror && !names.includes(service.mirror.version)) {
    problems.push({
      path: `${path}.mirror.version`,
      message: `"${service.mirror.version}" is not a declared version; declared: ${names.join(", ")}`,
    });
  }
  if (service.retries && durationMs(service.retries.perTryTimeout) >= durationMs(service.timeout)) {
    problems.push({
      path: `${path}.retries.perTryTimeout`,
      message: `${service.retries.perTryTimeout} must be shorter than timeout ${service.timeout}`,
    });
  }
  if (service.faultInjection && service.retries) {
    problems.push({
      path: `${path}.faultInjection`,
      message:
        "cannot be combined with retries on the same route (Istio silently drops retries when a fault is set); remove one",
    });
  }
  if (service.faultInjection && environment === "production") {
    problems.push({ path: `${path}.faultInjection`, message: "is not allowed when environment is production" });
  }
  return problems;
}

function replicaRangeProblems(path: string, range: { minReplicas: number; maxReplicas: number }): Problem[] {
  if (range.minReplicas <= range.maxReplicas) return [];
  return [{ path, message: `minReplicas ${range.minReplicas} is greater than maxReplicas ${range.maxReplicas}` }];
}

const SERVICE_KEY = /^[a-z][a-zA-Z0-9]*$/;
/** The longest Kubernetes name a service's objects get: "<app>-<version>" (Deployment, HPA). */
const MAX_NAME = 63;

/** Service keys become Kubernetes names (camelCase → kebab-case, one-to-one); each must fit. */
function serviceNameProblems(config: RootConfig): Problem[] {
  const problems: Problem[] = [];
  for (const service of config.services.list) {
    const path = `services.${service.key}`;
    if (!SERVICE_KEY.test(service.key) || service.key === INGRESS_CALLER) {
      problems.push({
        path,
        message: `"${service.key}" is not a service name: camelCase letters and digits, starting with a lowercase letter (e.g. objectDetector, which becomes object-detector)${service.key === INGRESS_CALLER ? `; ${INGRESS_CALLER} is reserved for the call graph` : ""}`,
      });
      continue;
    }
    const longest = service.versions
      .map((v) => `${service.app}-${v.name}`)
      .reduce((a, b) => (b.length > a.length ? b : a));
    if (longest.length > MAX_NAME) {
      problems.push({
        path,
        message: `the Kubernetes name "${longest}" would be ${longest.length} characters, more than ${MAX_NAME}; shorten the service or version names`,
      });
    }
  }
  return problems;
}

function callGraphProblems(config: RootConfig): Problem[] {
  const declared = config.services.list.map((s) => s.key);
  return config.callGraph.flatMap((edge, i) => {
    const problems: Problem[] = [];
    if (edge.from !== INGRESS_CALLER && !declared.includes(edge.from)) {
      problems.push({
        path: `callGraph[${i}].from`,
        message: `"${edge.from}" is not a declared service; declared: ${[INGRESS_CALLER, ...declared].join(", ")}`,
      });
    }
    if (!declared.includes(edge.to)) {
      problems.push({
        path: `callGraph[${i}].to`,
        message: `"${edge.to}" is not a declared service; declared: ${declared.join(", ")}`,
      });
    }
    if (edge.from === edge.to) {
      problems.push({
        path: `callGraph[${i}]`,
        message: `"${edge.from}" calling itself needs no policy; remove the edge`,
      });
    }
    return problems;
  });
}

export function configProblems(config: RootConfig): Problem[] {
  return [
    ...clusterProblems(config),
    ...replicaRangeProblems("istio.istiod", config.istio.istiod),
    ...replicaRangeProblems("istio.ingress", config.istio.ingress),
    ...gatewayProblems("istio.ingress", config.istio.ingress),
    ...gatewayProblems("llm.gateway", config.llm.gateway),
    ...serviceNameProblems(config),
    ...config.services.list.flatMap((service) =>
      serviceProblems(`services.${service.key}`, service, config.environment),
    ),
    ...callGraphProblems(config),
    ...llmProblems(config),
  ];
}
