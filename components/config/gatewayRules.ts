// Cross-field rules of a gateway deployment (istio.ingress, llm.gateway): the load balancer
// annotations the program owns stay the program's, and a certificate needs a load balancer. Pure.
import { LB_ANNOTATIONS } from "../../policy/shared/loadBalancer";
import type { Problem } from "../core/problems";
import type { RootConfig } from "./schema";

type Ingress = RootConfig["istio"]["ingress"];

/**
 * Every annotation key the program sets or decides on the gateway's Service, with what to use
 * instead. User annotations are spread last, so one of these would silently override the program
 * (a second certificate, ssl-ports that leave 443 plain, an NLB that is not one) or, for `scheme`,
 * look like it decides something the in-tree controller never reads.
 */
function controlledKeys(path: string): Record<string, string> {
  const leaveOut = (what: string) => `the program sets it (${what}); leave it out`;
  return {
    [LB_ANNOTATIONS.type]: leaveOut('"nlb": an NLB from the in-tree service controller'),
    [LB_ANNOTATIONS.internal]: `the program sets it from ${path}.scheme; use ${path}.scheme: internal`,
    [LB_ANNOTATIONS.scheme]: `the in-tree service controller that makes this NLB never reads it; use ${path}.scheme (internal or internet-facing)`,
    [LB_ANNOTATIONS.crossZone]: leaveOut('"true"'),
    [LB_ANNOTATIONS.sslCert]: `the program sets it from ${path}.certificateArn; use ${path}.certificateArn`,
    [LB_ANNOTATIONS.sslPorts]: leaveOut(
      '"https": the port-443 listener is TLS when certificateArn is set, nothing else',
    ),
    [LB_ANNOTATIONS.sslPolicy]: leaveOut("TLS 1.3 and 1.2 only, when certificateArn is set"),
    [LB_ANNOTATIONS.backendProtocol]: leaveOut('"tcp": the gateway takes what the NLB decrypted'),
  };
}

export function gatewayProblems(path: string, ingress: Ingress): Problem[] {
  const controlled = controlledKeys(path);
  const problems: Problem[] = Object.entries(ingress.annotations)
    .filter(([key]) => key in controlled)
    .map(([key, value]) => ({
      path: `${path}.annotations`,
      message: `"${key}: ${value}" is refused: ${controlled[key]}`,
    }));
  if (ingress.certificateArn !== undefined && ingress.serviceType !== "LoadBalancer") {
    problems.push({
      path: `${path}.certificateArn`,
      message: `${ingress.certificateArn} is set, but serviceType is ${ingress.serviceType}: only an AWS load balancer (serviceType LoadBalancer) terminates TLS with an ACM certificate; remove certificateArn or set serviceType: LoadBalancer`,
    });
  }
  return problems;
}
