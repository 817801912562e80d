# syntax=docker/dockerfile:1
# web: the upload page and POST /api/detect. Build from services/:
#   docker build -f docker/web.Dockerfile -t ghcr.io/ai-mesh/ai-mesh-web:0.1.0 .
ARG NODE_IMAGE=node:24.20.0-trixie-slim

# Compile TypeScript with the dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY common/package.json common/
COPY web/package.json web/
COPY image-processor/package.json image-processor/
COPY object-detector/package.json object-detector/
RUN npm ci -w web --include-workspace-root --no-audit --no-fund
COPY common common
COPY web web
RUN npx tsc -p web

# Only web's runtime dependencies, from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/common/package.json common/
COPY --from=build /app/web/package.json web/
COPY --from=build /app/image-processor/package.json image-processor/
COPY --from=build /app/object-detector/package.json object-detector/
RUN npm ci -w web --omit=dev --no-audit --no-fund && rm -rf node_modules/@ai-mesh

FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The platform's pod spec runs it as 10001 with a read-only root filesystem; so does this image.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "dist/web/main.js"]
