// Cross-field rules of the cluster config: endpoint exposure, node group sizes, GPU instance
// families, types the capacity table knows and their architecture against the AMI type. Pure:
// config in, problems out.
import { NVIDIA_AMI_TYPES, NVIDIA_GPU_FAMILIES, isNvidiaGpuInstanceType } from "../../policy/shared/gpu";
import {
  INSTANCE_TYPES,
  amiArchitecture,
  familiesOf,
  isKnownInstanceType,
  type Architecture,
} from "../core/instanceTypes";
import type { Problem } from "../core/problems";
import { SYSTEM_AMI_TYPES } from "./clusterSchema";
import type { EksClusterConfig, RootConfig } from "./schema";

const OPEN_TO_WORLD = ["0.0.0.0/0", "::/0"];

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

/**
 * Instance types must be in the capacity table, so the plan can tell whether pods fit; the refusal
 * names the table's families for this group, the same ones its other messages offer.
 */
function knownTypeProblems(path: string, types: string[], families: string[]): Problem[] {
  return types.flatMap((type, i) =>
    isKnownInstanceType(type)
      ? []
      : [
          {
            path: `${path}[${i}]`,
            message: `"${type}" is not in the instance table (components/core/instanceTypes.ts); its families here: ${families.join(", ")}`,
          },
        ],
  );
}

/**
 * A node group's instance types must run the architecture its AMI type boots (an x86 AMI never
 * starts on a Graviton type, nor an ARM one on x86): each one that does not is named with the
 * families of the AMI's architecture and the AMI types of its own.
 */
function architectureProblems(
  group: "systemNodes" | "gpuNodes",
  node: { amiType: string; instanceTypes: string[] },
  amiTypes: readonly string[],
  families: (arch: Architecture) => string[],
): Problem[] {
  const arch = amiArchitecture(node.amiType);
  return node.instanceTypes.flatMap((type, i) => {
    const own = INSTANCE_TYPES[type]?.arch;
    if (!own || own === arch) return [];
    const otherAmis = amiTypes.filter((ami) => amiArchitecture(ami) === own);
    return [
      {
        path: `cluster.${group}.instanceTypes[${i}]`,
        message:
          `"${type}" is ${own}, but cluster.${group}.amiType ${node.amiType} boots ${arch}; ` +
          `use ${arch} types (families ${families(arch).join(", ")}) or an ${own} amiType (${otherAmis.join(", ")})`,
      },
    ];
  });
}

/** Known CPU families of one architecture (the NVIDIA ones belong to the GPU group). */
const cpuFamilies = (arch: Architecture) =>
  familiesOf(arch).filter((family) => !Object.hasOwn(NVIDIA_GPU_FAMILIES, family));
/** NVIDIA families of one architecture that the table knows. */
const gpuFamilies = (arch: Architecture) =>
  familiesOf(arch).filter((family) => Object.hasOwn(NVIDIA_GPU_FAMILIES, family));

function gpuNodeProblems(cluster: EksClusterConfig): Problem[] {
  const gpu = cluster.gpuNodes;
  if (gpu.provisioner === "karpenter") {
    const allowed = gpuFamilies("x86_64");
    return gpu.instanceFamilies.flatMap((family, i) =>
      allowed.includes(family)
        ? []
        : [
            {
              path: `cluster.gpuNodes.instanceFamilies[${i}]`,
              message: `"${family}" is not an NVIDIA GPU family the capacity table knows; allowed: ${allowed.join(", ")}`,
            },
          ],
    );
  }
  const problems = sizeProblems("cluster.gpuNodes", gpu);
  if (gpu.minSize === 0) {
    problems.push({
      path: "cluster.gpuNodes.minSize",
      message:
        "is 0 with provisioner managed, but nothing scales a managed group up from zero here; use provisioner karpenter, or minSize 1 or more",
    });
  }
  if (cluster.generalNodes) {
    problems.push({
      path: "cluster.generalNodes",
      message: "is a Karpenter NodePool; it needs cluster.gpuNodes.provisioner karpenter",
    });
  }
  // Only the NVIDIA families the table knows: offering one it would then refuse helps nobody.
  const families = gpuFamilies(amiArchitecture(gpu.amiType));
  // The GPU group runs object-detector's CUDA image and vLLM: both are published for amd64 only
  // (ONNX Runtime's CUDA provider ships for linux x64 alone), so an Arm GPU node could run neither.
  if (amiArchitecture(gpu.amiType) === "arm64") {
    const x86 = NVIDIA_AMI_TYPES.filter((ami) => amiArchitecture(ami) === "x86_64");
    problems.push({
      path: "cluster.gpuNodes.amiType",
      message:
        `${gpu.amiType} boots arm64, but the GPU nodes run object-detector's CUDA image and vLLM, built for amd64 only; ` +
        `use an x86_64 NVIDIA amiType (${x86.join(", ")}) with families ${gpuFamilies("x86_64").join(", ")}`,
    });
  }
  gpu.instanceTypes.forEach((type, i) => {
    if (!isNvidiaGpuInstanceType(type)) {
      problems.push({
        path: `cluster.gpuNodes.instanceTypes[${i}]`,
        message: `"${type}" is not an NVIDIA GPU instance type for ${gpu.amiType}; allowed families: ${families.join(", ")}`,
      });
    }
  });
  problems.push(...architectureProblems("gpuNodes", gpu, NVIDIA_AMI_TYPES, gpuFamilies));
  if (problems.length === 0) {
    problems.push(...knownTypeProblems("cluster.gpuNodes.instanceTypes", gpu.instanceTypes, families));
  }
  return problems;
}

export function clusterProblems(config: RootConfig): Problem[] {
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
  const systemFamilies = cpuFamilies(amiArchitecture(cluster.systemNodes.amiType));
  problems.push(
    ...knownTypeProblems("cluster.systemNodes.instanceTypes", cluster.systemNodes.instanceTypes, systemFamilies),
  );
  problems.push(...architectureProblems("systemNodes", cluster.systemNodes, SYSTEM_AMI_TYPES, cpuFamilies));
  problems.push(...gpuNodeProblems(cluster));
  return problems;
}
