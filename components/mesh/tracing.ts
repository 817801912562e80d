// Where traces go: the OTLP endpoint of the tracing backend, shared by the mesh (producer) and
// observability (consumer) so the two can never disagree.
export const TRACING_PROVIDER = "otel-tracing";
export const TRACING_RELEASE = "jaeger";
export const OTLP_GRPC_PORT = 4317;

export function otlpCollectorHost(namespace: string): string {
  return `${TRACING_RELEASE}-collector.${namespace}.svc.cluster.local`;
}
