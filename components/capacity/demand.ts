// Every pod the stack runs, with its requests (sidecar included) and replica range, and what each
// node gives to DaemonSets. Pure: the same constants the components put in their pod specs and
// chart values, so the check counts what the scheduler will.
import { DEVICE_PLUGIN_REQUESTS, needsDevicePlugin } from "../cluster/gpu";
import { KARPENTER_REPLICAS, KARPENTER_RESOURCES } from "../cluster/karpenterNodes";
import { METRICS_SERVER_REPLICAS, METRICS_SERVER_RESOURCES } from "../cluster/metricsServer";
import { isLlm, type RootConfig } from "../config";
import { versionReplicas } from "../config/replicas";
import { BBR_REPLICAS, CHART_POD_RESOURCES, KEDA_POD_REQUESTS, KEDA_PODS } from "../core/inferenceNames";
import { GATEWAY_RESOURCES, SIDECAR_RESOURCES } from "../mesh/values";
import { OBSERVABILITY_NODE_REQUESTS, OBSERVABILITY_REQUESTS } from "../observability/values";
import { cpuMillis, memoryMiB, type CpuMemory } from "../core/quantity";

/** Where a pod can run: pinned to the system nodes, any CPU node, or a GPU node. */
export type Placement = "system" | "cpu" | "gpu";

export interface PodGroup {
  /** The config key the pods come from, e.g. "services.objectDetector v2" or "istio.istiod". */
  source: string;
  /** The keys that set one pod's CPU, memory and GPUs, for a problem to name (the source's key when fixed). */
  keys: { cpu: string; memory: string; gpu: string };
  placement: Placement;
  min: number;
  max: number;
  /** Per pod: millicores, MiB, GPUs. */
  cpu: number;
  memory: number;
  gpu: number;
}

/** A DaemonSet's pod on every node (or every GPU node). */
export interface NodeOverhead {
  source: string;
  gpuNodesOnly: boolean;
  cpu: number;
  memory: number;
}

/**
 * EKS add-ons this program installs but whose requests come from EKS, budgeted from their
 * manifests: CoreDNS (2 × 100m/70Mi), the EBS CSI controller (2 × six 10m/40Mi containers), and per
 * node aws-node (25m), kube-proxy (100m), ebs-csi-node (3 × 10m/40Mi) and the pod identity agent.
 */
export const EKS_ADDON_PODS: { source: string; replicas: number; requests: CpuMemory }[] = [
  { source: "EKS coredns", replicas: 2, requests: { cpu: "100m", memory: "70Mi" } },
  { source: "EKS ebs-csi-controller", replicas: 2, requests: { cpu: "60m", memory: "240Mi" } },
];
export const EKS_NODE_DAEMONSETS: CpuMemory = { cpu: "200m", memory: "256Mi" };

/** "services.objectDetector v2" → "services.objectDetector": the key a pod's size is set at. */
const configKey = (source: string) => source.split(" ")[0];

function group(
  source: string,
  placement: Placement,
  min: number,
  max: number,
  requests: CpuMemory[],
  gpu = 0,
  keys: PodGroup["keys"] = { cpu: configKey(source), memory: configKey(source), gpu: configKey(source) },
): PodGroup {
  return {
    source,
    keys,
    placement,
    min,
    max,
    cpu: requests.reduce((sum, r) => sum + cpuMillis(r.cpu), 0),
    memory: requests.reduce((sum, r) => sum + memoryMiB(r.memory), 0),
    gpu,
  };
}

const once = (source: string, requests: CpuMemory[]) => group(source, "cpu", 1, 1, requests);

export function podDemand(config: RootConfig, gpuNodes: boolean): PodGroup[] {
  const sidecar = SIDECAR_RESOURCES.requests;
  const pods: PodGroup[] = config.services.list.flatMap((service) =>
    service.versions.map((version) => {
      const replicas = versionReplicas(service, version);
      const onGpu = gpuNodes && service.gpu > 0;
      const key = `services.${service.key}`;
      return group(
        `${key} ${version.name}`,
        onGpu ? "gpu" : "cpu",
        replicas.min,
        replicas.max,
        [service.resources.requests, sidecar],
        onGpu ? service.gpu : 0,
        { cpu: `${key}.resources.requests.cpu`, memory: `${key}.resources.requests.memory`, gpu: `${key}.gpu` },
      );
    }),
  );
  const { istiod, ingress } = config.istio;
  pods.push(
    group(
      "istio.istiod",
      "cpu",
      istiod.minReplicas,
      istiod.maxReplicas,
      [{ cpu: istiod.cpu, memory: istiod.memory }],
      0,
      { cpu: "istio.istiod.cpu", memory: "istio.istiod.memory", gpu: "istio.istiod" },
    ),
    group("istio.ingress", "cpu", ingress.minReplicas, ingress.maxReplicas, [GATEWAY_RESOURCES.requests]),
  );
  if (config.observability.enabled) {
    const o = OBSERVABILITY_REQUESTS;
    pods.push(
      group("observability prometheus", "cpu", 1, 1, [config.observability.prometheusResources], 0, {
        cpu: "observability.prometheusResources.cpu",
        memory: "observability.prometheusResources.memory",
        gpu: "observability",
      }),
      once("observability alertmanager", [o.alertmanager]),
      once("observability grafana", [o.grafana, o.grafanaSidecar]),
      once("observability prometheus-operator", [o.prometheusOperator]),
      once("observability kube-state-metrics", [o.kubeStateMetrics]),
      once("observability jaeger", [o.jaeger]),
      once("observability kiali", [o.kiali]),
    );
  }
  pods.push(...llmPlatformPods(config));
  if (config.cluster.mode === "eks") {
    for (const addon of EKS_ADDON_PODS)
      pods.push(group(addon.source, "cpu", addon.replicas, addon.replicas, [addon.requests]));
    if (config.cluster.gpuNodes.provisioner === "karpenter") {
      pods.push(group("karpenter", "system", KARPENTER_REPLICAS, KARPENTER_REPLICAS, [KARPENTER_RESOURCES.requests]));
    }
    if (config.cluster.metricsServer === "install") {
      const replicas = METRICS_SERVER_REPLICAS;
      pods.push(group("cluster.metricsServer", "system", replicas, replicas, [METRICS_SERVER_RESOURCES.requests]));
    }
  }
  return pods;
}

/** What serving LLMs adds: the LLM gateway, the body-based router, a picker per pool, KEDA. */
function llmPlatformPods(config: RootConfig): PodGroup[] {
  const llm = config.services.list.filter(isLlm);
  if (llm.length === 0) return [];
  const { gateway, pickerReplicas } = config.llm;
  const pools = llm.reduce((n, s) => n + s.versions.length, 0);
  const chartPod = [CHART_POD_RESOURCES.requests];
  const pods = [
    group("llm.gateway", "cpu", gateway.minReplicas, gateway.maxReplicas, [GATEWAY_RESOURCES.requests]),
    group("llm body-based router", "cpu", BBR_REPLICAS, BBR_REPLICAS, chartPod),
    group("llm.pickerReplicas", "cpu", pools * pickerReplicas, pools * pickerReplicas, chartPod),
  ];
  if (config.llm.keda === "install") {
    // On EKS KEDA runs on the system nodes, like the other cluster add-ons.
    const placement = config.cluster.mode === "eks" ? "system" : "cpu";
    pods.push(group("llm.keda", placement, KEDA_PODS, KEDA_PODS, [KEDA_POD_REQUESTS]));
  }
  return pods;
}

export function nodeOverhead(config: RootConfig, gpuNodes: boolean): NodeOverhead[] {
  const overhead = (source: string, requests: CpuMemory, gpuNodesOnly = false): NodeOverhead => ({
    source,
    gpuNodesOnly,
    cpu: cpuMillis(requests.cpu),
    memory: memoryMiB(requests.memory),
  });
  const list: NodeOverhead[] = [];
  if (config.cluster.mode === "eks") list.push(overhead("EKS add-on DaemonSets", EKS_NODE_DAEMONSETS));
  if (config.observability.enabled) {
    list.push(overhead("node exporter", OBSERVABILITY_NODE_REQUESTS.nodeExporter));
    if (gpuNodes) list.push(overhead("DCGM exporter", OBSERVABILITY_NODE_REQUESTS.dcgmExporter, true));
  }
  if (config.cluster.mode === "eks" && needsDevicePlugin(config.cluster.gpuNodes)) {
    list.push(overhead("NVIDIA device plugin", DEVICE_PLUGIN_REQUESTS, true));
  }
  return list;
}

/** The overhead on one node: every DaemonSet that runs there. */
export function perNodeOverhead(overheads: NodeOverhead[], gpuNode: boolean): { cpu: number; memory: number } {
  const here = overheads.filter((o) => gpuNode || !o.gpuNodesOnly);
  return { cpu: here.reduce((s, o) => s + o.cpu, 0), memory: here.reduce((s, o) => s + o.memory, 0) };
}
