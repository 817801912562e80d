// The one Gateway API Inference Extension release the stack runs: its CRDs, its two charts and the
// images they start (endpoint picker, body-based router) all come from it, so they agree on the API.
// Istio 1.30.3 was built against it (its go.mod requires sigs.k8s.io/gateway-api-inference-extension
// v1.4.0): the InferencePool v1 istiod reads is the one this release serves.
export const INFERENCE_EXTENSION_VERSION = "v1.4.0";
export const INFERENCE_EXTENSION_MODULE = "sigs.k8s.io/gateway-api-inference-extension";
/** Where the release's images live (the charts' default hub). */
export const INFERENCE_EXTENSION_HUB = "registry.k8s.io/gateway-api-inference-extension";
/** The InferenceObjective API this release serves (inference.networking.x-k8s.io, alpha). */
export const INFERENCE_OBJECTIVE_API = "inference.networking.x-k8s.io/v1alpha2";
