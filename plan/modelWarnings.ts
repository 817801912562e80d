// What the plan can tell, offline, about a model version that gets traffic before its pool can answer.
// The plan has no cluster state, so it cannot see whether a version is already running: it warns for
// every weighted version that is not the stable one (it may be new in this update) and for a weighted
// version that may scale to zero replicas (an empty pool). Pure: recorded resources in, lines out.
import type { RecordedResource } from "./recorder";
import { ofType } from "./query";

const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";

interface ModelRoute {
  rules: { backendRefs: { name: string; weight: number }[] }[];
}

const nameOf = (r: RecordedResource) => (r.inputs.metadata as { name: string }).name;

export function modelWarnings(resources: RecordedResource[]): string[] {
  const minReplicas = new Map(
    ofType(resources, SCALED_OBJECT).map((s) => [
      nameOf(s),
      (s.inputs.spec as { minReplicaCount: number }).minReplicaCount,
    ]),
  );
  return ofType(resources, HTTP_ROUTE).flatMap((route) => {
    const app = nameOf(route);
    const backends = (route.inputs.spec as ModelRoute).rules[0].backendRefs;
    // The route lists the stable pool last (components/inference/routing.ts, backendOrder).
    const stable = backends[backends.length - 1].name;
    return backends
      .filter((b) => b.weight > 0)
      .flatMap((b) => {
        const version = b.name.slice(app.length + 1);
        const lines: string[] = [];
        if (minReplicas.get(b.name) === 0) {
          lines.push(
            `${app} ${version}: weight ${b.weight} with 0 minimum replicas; while it has no pod its pool has no endpoint and its share fails with 503`,
          );
        }
        if (b.name !== stable) {
          lines.push(
            `${app} ${version}: weight ${b.weight} from the stack file; if ${version} is new in this update, pulumi up routes to it once its Deployment is ready, with no canary analysis and no check of its pool. Deploy a new version at weight 0 and raise it with npm run canary, which checks its pool has a ready endpoint first`,
          );
        }
        return lines;
      });
  });
}
