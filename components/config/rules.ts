// Cross-field rules zod cannot say field by field. Pure: config in, problems out.
import { durationMs } from "./durations";
import { NVIDIA_GPU_FAMILIES, instanceFamily } from "../../policy/shared/gpu";
import type { RootConfig, ServiceConfig } from "./schema";
import { INGRESS_CALLER } from "../names";

export interface Problem {
  path: string;
  message: string;
}

const OPEN_TO_WORLD = ["0.0.0.0/0", "::/0"];

/** Canary and traffic rules for one service (DESIGN.md, "Canary rules"). */
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
  if (service.replicas.min > service.replicas.max) {
    problems.push({
      path: `${path}.replicas`,
      message: `min ${service.replicas.min} is greater than max ${service.replicas.max}`,
    });
  }
  return problems;
}

function sizeProblems(path: string, group: { minSize: number; desiredSize: number; maxSize: number }): Problem[] {
  const { minSize, desiredSize, maxSize } = group;
  if (minSize <= desiredSize && desiredSize <= maxSize) return [];
  return [
    {
      path,
      message: `sizes must satisfy minSize <= desiredSize <= maxSize, got ${minSize} / ${desiredSize} / ${maxSize}`,
    },
  ];
}

function clusterProblems(config: RootConfig): Problem[] {
  const cluster = config.cluster;
  if (cluster.mode !== "eks") return [];
  const problems: Problem[] = [];
  if (!config.region) {
    problems.push({
      path: "aws:region",
      message: "is required when cluster.mode is eks (pulumi config set aws:region us-west-2)",
    });
  }
  if (cluster.endpointPublicAccess && cluster.endpointPublicAccessCidrs.length === 0) {
    problems.push({
      path: "cluster.endpointPublicAccessCidrs",
      message: "must list at least one CIDR when endpointPublicAccess is true (or set endpointPublicAccess: false)",
    });
  }
  cluster.endpointPublicAccessCidrs.forEach((cidr, i) => {
    if (OPEN_TO_WORLD.includes(cidr) && !cluster.allowPublicEndpointFromAnywhere) {
      problems.push({
        path: `cluster.endpointPublicAccessCidrs[${i}]`,
        message: `"${cidr}" opens the API server to the internet; list your networks, or set allowPublicEndpointFromAnywhere: true to accept that`,
      });
    }
  });
  problems.push(...sizeProblems("cluster.systemNodes", cluster.systemNodes));
  problems.push(...sizeProblems("cluster.gpuNodes", cluster.gpuNodes));
  const arch = cluster.gpuNodes.amiType.includes("ARM_64") ? "arm64" : "x86_64";
  const families = Object.keys(NVIDIA_GPU_FAMILIES).filter((family) => NVIDIA_GPU_FAMILIES[family] === arch);
  cluster.gpuNodes.instanceTypes.forEach((type, i) => {
    if (!families.includes(instanceFamily(type))) {
      problems.push({
        path: `cluster.gpuNodes.instanceTypes[${i}]`,
        message: `"${type}" is not an NVIDIA GPU instance type for ${cluster.gpuNodes.amiType}; allowed families: ${families.join(", ")}`,
      });
    }
  });
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
    ...serviceNameProblems(config),
    ...config.services.list.flatMap((service) =>
      serviceProblems(`services.${service.key}`, service, config.environment),
    ),
    ...callGraphProblems(config),
  ];
}
