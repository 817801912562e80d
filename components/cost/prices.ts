// The price table the cost estimate uses: AWS on-demand list prices for one region, each with where it
// was read. What is not here is "not priced", never guessed.

export interface Price {
  /** US dollars. */
  usd: number;
  per: "hour" | "GB-month";
  /** Where the figure was read. */
  source: string;
  /**
   * AWS's own pricing page for it, when the figure was read elsewhere: the page where a person checks
   * it (its prices are drawn per region by script, and no copy of it was at hand to read).
   */
  awsPage?: string;
}

/** AWS bills by the hour; its pricing calculator counts 730 hours in a month. */
export const HOURS_PER_MONTH = 730;

const KARPENTER_PRICES =
  "aws/karpenter-provider-aws v1.8.5 pkg/providers/pricing/zz_generated.pricing_aws.go (generated 2026-01-09 from the AWS Price List API for us-east-1, Linux, shared tenancy)";

export const PRICE_TABLE = {
  region: "us-east-1",
  /** When the table was put together (each source says when its figures are from). */
  date: "2026-12-06",
  currency: "USD",
  /** On-demand Linux price per instance-hour (the price Karpenter's own table holds). */
  instances: {
    source: KARPENTER_PRICES,
    hourly: {
      "m6i.large": 0.096,
      "m6i.xlarge": 0.192,
      "m6i.2xlarge": 0.384,
      "m6i.4xlarge": 0.768,
      "m6i.8xlarge": 1.536,
      "m7i.large": 0.1008,
      "m7i.xlarge": 0.2016,
      "m7i.2xlarge": 0.4032,
      "m7i.4xlarge": 0.8064,
      "m7i.8xlarge": 1.6128,
      "c6i.large": 0.085,
      "c6i.xlarge": 0.17,
      "c6i.2xlarge": 0.34,
      "c6i.4xlarge": 0.68,
      "c6i.8xlarge": 1.36,
      "c7i.large": 0.08925,
      "c7i.xlarge": 0.1785,
      "c7i.2xlarge": 0.357,
      "c7i.4xlarge": 0.714,
      "c7i.8xlarge": 1.428,
      "r6i.large": 0.126,
      "r6i.xlarge": 0.252,
      "r6i.2xlarge": 0.504,
      "r6i.4xlarge": 1.008,
      "r6i.8xlarge": 2.016,
      "r7i.large": 0.1323,
      "r7i.xlarge": 0.2646,
      "r7i.2xlarge": 0.5292,
      "r7i.4xlarge": 1.0584,
      "r7i.8xlarge": 2.1168,
      "g4dn.xlarge": 0.526,
      "g4dn.2xlarge": 0.752,
      "g4dn.4xlarge": 1.204,
      "g4dn.8xlarge": 2.176,
      "g4dn.12xlarge": 3.912,
      "g5.xlarge": 1.006,
      "g5.2xlarge": 1.212,
      "g5.4xlarge": 1.624,
      "g5.8xlarge": 2.448,
      "g5.12xlarge": 5.672,
      "g5.16xlarge": 4.096,
      "g5.24xlarge": 8.144,
      "g5.48xlarge": 16.288,
      "g6.xlarge": 0.8048,
      "g6.2xlarge": 0.9776,
      "g6.4xlarge": 1.3232,
      "g6.8xlarge": 2.0144,
      "g6.12xlarge": 4.6016,
      "g6.16xlarge": 3.3968,
      "g6.24xlarge": 6.6752,
      "g6.48xlarge": 13.3504,
      "g6e.xlarge": 1.861,
      "g6e.2xlarge": 2.24208,
      "g6e.4xlarge": 3.00424,
      "g6e.8xlarge": 4.52856,
      "g6e.12xlarge": 10.49264,
      "g6e.16xlarge": 7.57719,
      "g6e.24xlarge": 15.06559,
      "g6e.48xlarge": 30.13118,
    } as Record<string, number>,
  },
  eksControlPlane: {
    usd: 0.1,
    per: "hour",
    source:
      "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/ (standard support $0.10 per cluster-hour; extended support $0.60)",
  },
  natGateway: {
    usd: 0.045,
    per: "hour",
    awsPage: "https://aws.amazon.com/vpc/pricing/",
    source:
      "not AWS's page: https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1: $0.045 per NAT gateway-hour and $0.045 per GB processed); the same $0.045 per NAT Gateway-hour as AWS's page's own example (US East (Ohio)) as transcribed in github.com/api-evangelist/amazon-vpc plans/amazon-vpc-plans-pricing.yml (read 2026-09-20)",
  },
  networkLoadBalancer: {
    usd: 0.0225,
    per: "hour",
    awsPage: "https://aws.amazon.com/elasticloadbalancing/pricing/",
    source:
      "not AWS's page: https://clustercost.com/blog/network-load-balancer-pricing-2025 (us-east-1: NLB $0.0225 per hour, plus NLCUs); the same figure at https://awsnegotiations.com/elastic-load-balancer-cost.html",
  },
  publicIpv4: {
    usd: 0.005,
    per: "hour",
    source:
      "https://www.repost.aws/articles/ARapCqBMkaTfCidGWemmSjAA (AWS re:Post: every public IPv4 address, in use or idle, $0.005 per hour from 2024-02-01)",
  },
  gp3: {
    usd: 0.08,
    per: "GB-month",
    awsPage: "https://aws.amazon.com/ebs/pricing/",
    source:
      "not AWS's page: https://www.saisci.com/aws/gp2-vs-gp3-cost-comparison-ebs-volumes/ (N. Virginia: gp3 $0.08 per GB-month, 3,000 IOPS and 125 MB/s included); the same $0.08 in us-east-1, 'approximate as of early 2026', in AWS's github.com/aws/agent-toolkit-for-aws skills/core-skills/aws-billing-and-cost-management/references/ebs-optimization.md",
  },
} as const satisfies Record<string, unknown>;

export type PriceTable = typeof PRICE_TABLE;

/** The hourly on-demand price of an instance type, or undefined when the table does not hold it. */
export function instancePrice(table: Pick<PriceTable, "instances">, type: string): number | undefined {
  return Object.hasOwn(table.instances.hourly, type) ? table.instances.hourly[type] : undefined;
}
