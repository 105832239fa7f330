# alertscale and the demo workload: one image.
#   alertscale (default):  node dist/src/main.js
#   demo worker:           node dist/demo/worker.js
#   demo producer:         node dist/demo/producer.js
#
# Build with BuildKit (docs/deploy.md, "Building the image"): `npm run image:build`
# picks a docker CLI that has it; by hand, with the buildx plugin:
#   docker buildx build --load -t alertscale:latest .
# with a CLI older than 23 (no plugin needed):
#   DOCKER_BUILDKIT=1 docker build -t alertscale:latest .
# A 23+ CLI without buildx falls back to the legacy builder, which refuses RUN --mount.
# Behind a TLS-intercepting proxy, hand npm the proxy's CA bundle as a build
# secret (never stored in a layer):
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t alertscale:latest .
# NODE_IMAGE lets an air-gapped builder use a mirrored copy of the same image, or
# the local stand-in `npm run image:base` makes (alertscale-local/node:20).
# No `# syntax=` line on purpose: it would make BuildKit pull a frontend image;
# the frontend built into Docker >= 20.10 supports RUN --mount.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,required=false \
    --mount=type=cache,target=/root/.npm \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY demo ./demo
RUN npx tsc -p tsconfig.build.json --sourceMap false \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=8080
WORKDIR /app
# Root-owned and read-only for the runtime user: the process cannot rewrite its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `node` (uid 1000) from the official image. To use the Docker socket directly,
# add the socket's group at run time (the group id differs per host):
#   docker run --group-add "$(stat -c %g /var/run/docker.sock)" -v /var/run/docker.sock:/var/run/docker.sock ...
#   docker service create --group "$(stat -c %g /var/run/docker.sock)" ...
# In stack.yml alertscale talks to the Docker API guard (node dist/src/guard/main.js,
# the same image, docs/adr/0004) over TCP and needs no group.
USER node
EXPOSE 8080
# Liveness of alertscale on $PORT, with node itself: no curl/wget in the image.
# The demo services override it (their /healthz is on METRICS_PORT).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/healthz',timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
