# syntax=docker/dockerfile:1
# The dashboard's container image: Next.js's standalone output (the server and only the
# node_modules files it uses) run by scripts/server.mjs, which stamps each request with its peer
# address (the sign-in throttle) and drains on SIGTERM. Build from the repository root:
#
#   docker build -t dockyard:1.0 .
#
# The final stage's `COPY --from=build` lines are the image's contents: e2e/standalone.spec.ts
# replays exactly those lines into a directory (scripts/assemble-image.ts) and runs the smoke test
# there, because no engine on the development and CI machines can run these build steps or pull
# the base images.

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx next build

# Swarm and Compose environments run the Docker CLI and its Compose plugin against a remote engine
# (ssh:// or tcp://); both are static binaries, taken from Docker's own CLI image.
FROM docker:27-cli AS docker-cli

FROM ${NODE_IMAGE}
# openssh-client: `ssh://` Docker hosts; ca-certificates: the CLI's TLS to `tcp://` engines.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 dockyard \
  && useradd --system --uid 10001 --gid dockyard --home-dir /tmp --no-create-home --shell /usr/sbin/nologin dockyard
COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=docker-cli /usr/local/libexec/docker/cli-plugins/docker-compose /usr/local/libexec/docker/cli-plugins/docker-compose

WORKDIR /app
# Root-owned and read-only to the app's user: the process writes only to /tmp (a temporary Docker
# or ssh config per deploy) and, on Kubernetes, runs with a read-only root filesystem.
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
# The migrations, applied at start (under an advisory lock when several replicas start together).
COPY --from=build /app/drizzle ./drizzle
COPY --from=build /app/scripts/server.mjs ./scripts/server.mjs

ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOME=/tmp \
    DATA_DIR=/tmp/dockyard
USER 10001:10001
EXPOSE 3000
# Liveness for `docker run` and Compose; Kubernetes uses its own probes (kustomize/base).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "scripts/server.mjs"]
