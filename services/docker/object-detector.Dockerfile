# syntax=docker/dockerfile:1
# object-detector: POST /detect with ONNX Runtime. Build from services/. The default image runs on
# NVIDIA GPUs (CUDA 12 and cuDNN 9, which ONNX Runtime 1.30's CUDA provider needs) and falls back
# to the CPU where there is none:
#   docker build -f docker/object-detector.Dockerfile -t ghcr.io/ai-mesh/ai-mesh-object-detector:0.1.0 .
# A CPU-only image, a tenth of the size, for laptop clusters:
#   docker build -f docker/object-detector.Dockerfile -t ghcr.io/ai-mesh/ai-mesh-object-detector:0.1.0-cpu \
#     --build-arg RUNTIME_IMAGE=node:24.20.0-trixie-slim --build-arg ONNXRUNTIME_PROVIDERS=skip .
ARG NODE_IMAGE=node:24.20.0-trixie-slim
ARG RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# Compile TypeScript with the dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY common/package.json common/
COPY web/package.json web/
COPY image-processor/package.json image-processor/
COPY object-detector/package.json object-detector/
RUN npm ci -w object-detector --include-workspace-root --no-audit --no-fund
COPY common common
COPY object-detector object-detector
RUN npx tsc -p object-detector

# Only object-detector's runtime dependencies, from the lockfile. onnxruntime-node ships its CPU
# runtime; its install script, denied in services/package.json (allowScripts) and so skipped by
# `npm ci` everywhere, runs here on purpose: "cuda12" adds the CUDA and TensorRT providers from
# NuGet, "skip" adds nothing (ONNXRUNTIME_NODE_INSTALL is the switch onnxruntime-node documents; set
# for `npm ci` too, for an npm that predates allowScripts). Binaries for other platforms are dropped.
FROM ${NODE_IMAGE} AS deps
ARG ONNXRUNTIME_PROVIDERS=cuda12
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/common/package.json common/
COPY --from=build /app/web/package.json web/
COPY --from=build /app/image-processor/package.json image-processor/
COPY --from=build /app/object-detector/package.json object-detector/
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci -w object-detector --omit=dev --no-audit --no-fund \
  && ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_PROVIDERS} node node_modules/onnxruntime-node/script/install \
  && rm -rf node_modules/@ai-mesh \
  && arch="$(node -p 'process.arch')" \
  && cd node_modules/onnxruntime-node/bin \
  && find . -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} + \
  && find . -mindepth 3 -maxdepth 3 ! -name "${arch}" -exec rm -rf {} +

FROM ${NODE_IMAGE} AS node

FROM ${RUNTIME_IMAGE}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production PORT=8080 MODEL_CACHE_DIR=/models
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The platform mounts an emptyDir at /models; this one serves `docker run` (writable by 10001).
RUN mkdir -p /models && chown 10001:10001 /models
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "dist/object-detector/main.js"]
