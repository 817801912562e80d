// What the plan can tell, offline, about a model version that gets traffic before its pool can answer.
// The plan has no cluster state, so it cannot see whether a version is already running: it warns for
// every weighted version that is not the stable one (it may be new in this update), and for a stable
// (heaviest) version that is not the first declared, the worst case: its picker serves the whole model.
// Pure: recorded resources in, lines out.
import type { RecordedResource } from "./recorder";
import { ofType } from "./query";

const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
/** One per version, registered in the config's order (components/inference/modelService.ts). */
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

interface ModelRoute {
  rules: { backendRefs: { name: string; weight: number }[] }[];
}

const metadata = (r: RecordedResource) => r.inputs.metadata as { name: string; labels?: Record<string, string> };

/** The app's first declared version: the stable one by the house's convention. */
function firstDeclared(resources: RecordedResource[], app: string): string | undefined {
  const first = ofType(resources, DEPLOYMENT).find(
    (d) => metadata(d).labels?.app === app && metadata(d).labels?.version,
  );
  return first && metadata(first).labels!.version;
}

export function modelWarnings(resources: RecordedResource[]): string[] {
  return ofType(resources, HTTP_ROUTE).flatMap((route) => {
    const app = metadata(route).name;
    const backends = (route.inputs.spec as ModelRoute).rules[0].backendRefs;
    // The route lists the stable pool, the heaviest, last (components/inference/routing.ts, backendOrder).
    const stable = backends[backends.length - 1];
    const first = firstDeclared(resources, app);
    const stableVersion = stable.name.slice(app.length + 1);
    const heaviestLine =
      first !== undefined && stableVersion !== first
        ? [
            `${app} ${stableVersion}: weight ${stable.weight}, the heaviest, though ${first} is declared first; if ${stableVersion} is new in this update, pulumi up routes the whole model through it once its Deployment is ready: its endpoint picker chooses for every request (Istio 1.30.3 uses the heaviest pool's), so while its pool has no ready endpoint all of ${app}'s requests fail with 503, with no canary analysis and no check of its pool. Deploy a new version at weight 0 and raise it with npm run canary; after a finished promotion, declare ${stableVersion} first`,
          ]
        : [];
    const canaryLines = backends
      .filter((b) => b !== stable && b.weight > 0)
      .map((b) => {
        const version = b.name.slice(app.length + 1);
        return `${app} ${version}: weight ${b.weight} from the stack file; if ${version} is new in this update, pulumi up routes to it once its Deployment is ready, with no canary analysis and no check of its pool. Deploy a new version at weight 0 and raise it with npm run canary, which checks its pool has a ready endpoint first`;
      });
    return [...heaviestLine, ...canaryLines];
  });
}
