// The stack's estimated monthly on-demand cost at minimum and at maximum replicas: the EKS control
// plane, NAT gateways, load balancers, public IPv4 addresses, each pool's nodes (components/cost/
// nodes.ts) and gp3 volumes, from the price table; and the versions that hold GPUs at 0 % weight. Pure.
import { gpuEnabled, usesKarpenter, type RootConfig } from "../config";
import { nodeOverhead, podDemand, type PodGroup } from "../capacity/demand";
import { modelFits } from "../capacity/gpuMemory";
import { nodePools, type Pool } from "../capacity/pools";
import { AZ_COUNT } from "../cluster/network";
import { memoryMiB } from "../core/quantity";
import { gpuFleet, managedFleet, overflowFleet, type Fleet } from "./nodes";
import { HOURS_PER_MONTH, PRICE_TABLE, instancePrice, type PriceTable } from "./prices";

export interface CostLine {
  item: string;
  /** What is counted at minimum and at maximum replicas. */
  min: string;
  max: string;
  /** US dollars a month; null: not priced. */
  monthlyMin: number | null;
  monthlyMax: number | null;
}

export interface IdleGpus {
  service: string;
  version: string;
  gpus: number;
  /** Percent of live traffic copied to it, when it is the service's mirror target. */
  mirrorPercent?: number;
  /** What its GPU nodes cost a month; null when not priced. */
  monthly: number | null;
}

export interface CostEstimate {
  /** The stack's region. */
  region?: string;
  prices: { region: string; date: string };
  lines: CostLine[];
  /** Sums of the priced lines. */
  total: { min: number; max: number };
  /** What the stack creates that the estimate leaves out. */
  notPriced: string[];
  idleGpus: IdleGpus[];
  note?: string;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
const perMonth = (hourly: number | null) => (hourly === null ? null : cents(hourly * HOURS_PER_MONTH));

/** Usage-billed or small items the stack creates, which a count of resources cannot price. */
const USAGE_NOT_PRICED = [
  "data processed by NAT gateways and load balancers (per GB, NLCUs)",
  "data transfer out of AWS",
  "CloudWatch Logs of the control plane",
  "the secrets KMS key",
];

/** A fixed number of things at an hourly price, the same at minimum and at maximum. */
function fixed(item: string, count: number, what: string, hourly: number): CostLine {
  const monthly = cents(count * hourly * HOURS_PER_MONTH);
  const counted = `${count} × ${what}`;
  return { item, min: counted, max: counted, monthlyMin: monthly, monthlyMax: monthly };
}

/** "3 × g6.xlarge + 1 × g5.2xlarge (5 GPUs)" for fleets of possibly different types. */
function describeFleets(fleets: Fleet[], gpus?: number): string {
  const byType = new Map<string, number>();
  for (const f of fleets.filter((f) => f.count > 0)) byType.set(f.type, (byType.get(f.type) ?? 0) + f.count);
  const nodes = [...byType].map(([type, count]) => `${count} × ${type}`).join(" + ") || "0 nodes";
  return gpus === undefined ? nodes : `${nodes} (${gpus} GPU${gpus === 1 ? "" : "s"})`;
}

const sumHourly = (fleets: Fleet[]) =>
  fleets.some((f) => f.hourly === null) ? null : fleets.reduce((sum, f) => sum + (f.hourly ?? 0), 0);

interface PoolCost {
  line: CostLine;
  /** Node count at minimum and at maximum, for the volumes. */
  nodes: { min: number; max: number };
  /** A GPU pod group's own fleet at minimum, for the idle-GPU flag. */
  groupFleets?: Map<PodGroup, Fleet | undefined>;
}

const price = (table: PriceTable) => (type: string) => instancePrice(table, type);

function managedPoolCost(item: string, pool: Pool, nodes: { min: number; max: number }, table: PriceTable): PoolCost {
  const min = managedFleet(pool.launchable, nodes.min, price(table));
  const max = managedFleet(pool.launchable, nodes.max, price(table));
  return {
    line: {
      item,
      min: describeFleets([min]),
      max: describeFleets([max]),
      monthlyMin: perMonth(min.hourly),
      monthlyMax: perMonth(max.hourly),
    },
    nodes,
  };
}

/** GPU pods, each group on the cheapest fleet that holds it (model servers only on types their model fits). */
function gpuPoolCost(config: RootConfig, pool: Pool, pods: PodGroup[], table: PriceTable): PoolCost {
  const fits = new Map(modelFits(config).fits.map((f) => [f.service, f.instanceTypes]));
  const groups = pods.filter((p) => p.placement === "gpu" && p.gpu > 0);
  const groupFleets = new Map<PodGroup, Fleet | undefined>();
  const at = (which: "min" | "max") => {
    const fleets = groups.map((g) => {
      const allowed = fits.get(g.source.split(" ")[0].replace(/^services\./, ""));
      const shapes = allowed ? pool.launchable.filter((s) => allowed.includes(s.type)) : pool.launchable;
      const fleet = gpuFleet(g, g[which], shapes, price(table));
      if (which === "min") groupFleets.set(g, fleet);
      return fleet;
    });
    const gpus = groups.reduce((sum, g) => sum + g.gpu * g[which], 0);
    const known = fleets.filter((f): f is Fleet => f !== undefined);
    const over = gpus > pool.capacity.gpus ? `; over the NodePool's ${pool.capacity.gpus}-GPU limit` : "";
    return {
      text: describeFleets(known, gpus) + over,
      monthly: known.length < fleets.length ? null : perMonth(sumHourly(known)),
      nodes: known.reduce((n, f) => n + f.count, 0),
    };
  };
  const min = at("min");
  const max = at("max");
  return {
    line: {
      item: `${pool.configPath} (Karpenter)`,
      min: min.text,
      max: max.text,
      monthlyMin: min.monthly,
      monthlyMax: max.monthly,
    },
    nodes: { min: min.nodes, max: max.nodes },
    groupFleets,
  };
}

/** CPU pods beyond the system nodes, on the general NodePool. */
function generalPoolCost(general: Pool, system: Pool, pods: PodGroup[], table: PriceTable): PoolCost {
  const cpuPods = pods.filter((p) => p.placement !== "gpu");
  const largest = {
    cpu: Math.max(...cpuPods.map((p) => p.cpu)),
    memory: Math.max(...cpuPods.map((p) => p.memory)),
  };
  const at = (which: "min" | "max") => {
    const demand = cpuPods.reduce(
      (sum, p) => ({ cpu: sum.cpu + p.cpu * p[which], memory: sum.memory + p.memory * p[which] }),
      { cpu: 0, memory: 0 },
    );
    const overflow = { cpu: demand.cpu - system.capacity.cpu, memory: demand.memory - system.capacity.memory };
    return overflowFleet(overflow, largest, general.launchable, price(table));
  };
  const [min, max] = [at("min"), at("max")];
  const text = (f: Fleet | undefined) => (f ? describeFleets([f]) : "no type holds the largest pod");
  return {
    line: {
      item: `${general.configPath} (Karpenter)`,
      min: text(min),
      max: text(max),
      monthlyMin: min ? perMonth(min.hourly) : null,
      monthlyMax: max ? perMonth(max.hourly) : null,
    },
    nodes: { min: min?.count ?? 0, max: max?.count ?? 0 },
  };
}

/** Versions at weight 0 whose pods hold GPUs at minimum replicas, with what their nodes cost. */
function idleGpus(config: RootConfig, fleets: Map<PodGroup, Fleet | undefined>): IdleGpus[] {
  return config.services.list.flatMap((service) =>
    service.versions
      .filter((v) => v.weight === 0)
      .flatMap((v) => {
        const group = [...fleets.keys()].find((g) => g.source === `services.${service.key} ${v.name}`);
        if (!group || group.min === 0) return [];
        const fleet = fleets.get(group);
        const copied = "mirror" in service ? service.mirror : undefined;
        const mirror = copied?.version === v.name ? { mirrorPercent: copied.percent } : {};
        return [
          {
            service: service.key,
            version: v.name,
            gpus: group.gpu * group.min,
            ...mirror,
            monthly: fleet ? perMonth(fleet.hourly) : null,
          },
        ];
      }),
  );
}

export function costEstimate(config: RootConfig, table: PriceTable = PRICE_TABLE): CostEstimate {
  const base = { region: config.region, prices: { region: table.region, date: table.date } };
  const cluster = config.cluster;
  if (cluster.mode !== "eks") {
    return {
      ...base,
      lines: [],
      total: { min: 0, max: 0 },
      notPriced: ["the existing cluster and its nodes (cluster.mode existing: not created by this stack)"],
      idleGpus: [],
      note: "cluster.mode existing: this stack creates no AWS resources the price table covers",
    };
  }
  const gpu = gpuEnabled(config);
  const pods = podDemand(config, gpu);
  const pools = nodePools(config, nodeOverhead(config, gpu));
  const pool = (name: Pool["name"]) => pools.find((p) => p.name === name)!;

  const system = cluster.systemNodes;
  const systemCost = managedPoolCost(
    "cluster.systemNodes (managed)",
    pool("system"),
    { min: system.desiredSize, max: system.autoscaler === "none" ? system.desiredSize : system.maxSize },
    table,
  );
  const poolCosts: (PoolCost & { diskGiB: number })[] = [{ ...systemCost, diskGiB: system.diskSizeGiB }];
  if (usesKarpenter(cluster)) {
    poolCosts.push({
      ...generalPoolCost(pool("general"), pool("system"), pods, table),
      diskGiB: cluster.generalNodes.diskSizeGiB,
    });
    poolCosts.push({ ...gpuPoolCost(config, pool("gpu"), pods, table), diskGiB: cluster.gpuNodes.diskSizeGiB });
  } else {
    const g = cluster.gpuNodes;
    const nodes = { min: g.desiredSize, max: g.autoscaler === "none" ? g.desiredSize : g.maxSize };
    poolCosts.push({
      ...managedPoolCost("cluster.gpuNodes (managed)", pool("gpu"), nodes, table),
      diskGiB: g.diskSizeGiB,
    });
  }

  const nat = cluster.network.existing ? 0 : cluster.network.natGateways === "perAz" ? AZ_COUNT : 1;
  const balancers = [
    config.istio.ingress,
    ...(pods.some((p) => p.source === "llm.gateway") ? [config.llm.gateway] : []),
  ].filter((ingress) => ingress.serviceType === "LoadBalancer");
  // An internet-facing NLB has a public address in each zone's public subnet.
  const publicIps = nat + balancers.filter((b) => b.scheme === "internet-facing").length * AZ_COUNT;

  const lines: CostLine[] = [fixed("EKS control plane", 1, "cluster (standard support)", table.eksControlPlane.usd)];
  if (nat > 0) lines.push(fixed("NAT gateways", nat, "NAT gateway", table.natGateway.usd));
  if (balancers.length > 0) lines.push(fixed("load balancers", balancers.length, "NLB", table.networkLoadBalancer.usd));
  if (publicIps > 0) lines.push(fixed("public IPv4 addresses", publicIps, "address", table.publicIpv4.usd));
  lines.push(...poolCosts.map((p) => p.line));

  const prometheusGiB = config.observability.enabled ? memoryMiB(config.observability.storageSize) / 1024 : 0;
  const volumes = (which: "min" | "max") =>
    poolCosts.reduce((sum, p) => sum + p.nodes[which] * p.diskGiB, 0) + prometheusGiB;
  const gib = { min: volumes("min"), max: volumes("max") };
  const volumeText = (n: number) => `${n} GiB (node disks${prometheusGiB ? `, Prometheus ${prometheusGiB} GiB` : ""})`;
  lines.push({
    item: "gp3 volumes",
    min: volumeText(gib.min),
    max: volumeText(gib.max),
    monthlyMin: cents(gib.min * table.gp3.usd),
    monthlyMax: cents(gib.max * table.gp3.usd),
  });

  const unpriced = lines.filter((l) => l.monthlyMin === null || l.monthlyMax === null).map((l) => l.item);
  const total = (which: "monthlyMin" | "monthlyMax") => cents(lines.reduce((sum, l) => sum + (l[which] ?? 0), 0));
  const gpuFleets = poolCosts.find((p) => p.groupFleets)?.groupFleets ?? new Map();
  return {
    ...base,
    lines,
    total: { min: total("monthlyMin"), max: total("monthlyMax") },
    notPriced: [...unpriced.map((item) => `${item} (a type the price table lacks)`), ...USAGE_NOT_PRICED],
    idleGpus: idleGpus(config, gpuFleets),
  };
}
