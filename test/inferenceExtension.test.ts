// One Gateway API Inference Extension release everywhere: CRDs, both charts, the modules they are
// packaged from, and the release Istio 1.30.3 was built against (istio/istio 1.30.3 go.mod requires
// sigs.k8s.io/gateway-api-inference-extension v1.4.0). The rendered images are checked by
// test/tools/inference.helm.test.ts against the same constant.
import { CRD_MANIFESTS } from "../components/charts/manifests";
import { CHARTS } from "../components/charts/pins";
import {
  INFERENCE_EXTENSION_MODULE,
  INFERENCE_EXTENSION_VERSION,
  INFERENCE_OBJECTIVE_API,
} from "../components/charts/inferenceExtension";

describe("the Inference Extension pins", () => {
  const crds = CRD_MANIFESTS.inferenceExtension;
  /** Every place a GIE version is written, by where it is. */
  const pins = (): Record<string, string> => ({
    "CHARTS.inferencePool.version": CHARTS.inferencePool.version,
    "CHARTS.inferencePool.goModule.version": CHARTS.inferencePool.goModule.version,
    "CHARTS.bodyBasedRouting.version": CHARTS.bodyBasedRouting.version,
    "CHARTS.bodyBasedRouting.goModule.version": CHARTS.bodyBasedRouting.goModule.version,
    "CRD_MANIFESTS.inferenceExtension.goModule.version": crds.goModule.version,
    "CRD_MANIFESTS.inferenceExtension.url": /\/download\/(v[^/]+)\//.exec(crds.url)?.[1] ?? crds.url,
    "CRD_MANIFESTS.inferenceExtension.file": /-(v\d+\.\d+\.\d+)-/.exec(crds.file)?.[1] ?? crds.file,
  });

  it("are all the release the pinned Istio (1.30.3) was built against: v1.4.0", () => {
    expect(INFERENCE_EXTENSION_VERSION).toBe("v1.4.0");
    const differing = Object.entries(pins()).filter(([, version]) => version !== INFERENCE_EXTENSION_VERSION);
    expect(differing).toEqual([]);
  });

  it("take both charts and the CRDs from the one module", () => {
    expect(CHARTS.inferencePool.goModule.path).toBe(INFERENCE_EXTENSION_MODULE);
    expect(CHARTS.bodyBasedRouting.goModule.path).toBe(INFERENCE_EXTENSION_MODULE);
    expect(crds.goModule.path).toBe(INFERENCE_EXTENSION_MODULE);
  });

  it("bundle the CRDs of v1.4.0's config/crd/kustomization.yaml, InferenceObjective included", () => {
    expect(crds.goModule.files).toEqual([
      "config/crd/bases/inference.networking.x-k8s.io_inferencepools.yaml",
      "config/crd/bases/inference.networking.x-k8s.io_inferencemodelrewrites.yaml",
      "config/crd/bases/inference.networking.x-k8s.io_inferenceobjectives.yaml",
      "config/crd/bases/inference.networking.x-k8s.io_inferencepoolimports.yaml",
      "config/crd/bases/inference.networking.k8s.io_inferencepools.yaml",
    ]);
    // v1.4.0 serves InferenceObjective as v1alpha2 only (inference.networking.x-k8s.io_inferenceobjectives.yaml).
    expect(INFERENCE_OBJECTIVE_API).toBe("inference.networking.x-k8s.io/v1alpha2");
  });

  it("package the inferencepool chart with its file:// library chart (epplib) built in", () => {
    expect(CHARTS.inferencePool.goModule).toMatchObject({
      dir: "config/charts/inferencepool",
      localDependencies: true,
    });
  });
});
