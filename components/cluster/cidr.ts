// IPv4 subnet planning for the VPC: pure arithmetic, no resources.

function toInt(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export interface SubnetPlan {
  private: string[];
  public: string[];
}

/**
 * Splits a VPC CIDR into one large private subnet per AZ (pods take VPC IPs with the VPC CNI)
 * and one small public subnet per AZ (load balancers and NAT only).
 * A /16 over 3 AZs gives private /19s and public /22s.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const [address, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText);
  if (prefix > 20) throw new Error(`VPC CIDR ${vpcCidr} is too small; use a /20 or larger (e.g. 10.0.0.0/16)`);
  const base = toInt(address);
  const privatePrefix = prefix + 3;
  const publicPrefix = prefix + 6;
  const privateSize = 2 ** (32 - privatePrefix);
  const publicSize = 2 ** (32 - publicPrefix);
  const publicBase = base + azCount * privateSize;
  return {
    private: Array.from({ length: azCount }, (_, i) => `${toAddress(base + i * privateSize)}/${privatePrefix}`),
    public: Array.from({ length: azCount }, (_, i) => `${toAddress(publicBase + i * publicSize)}/${publicPrefix}`),
  };
}
