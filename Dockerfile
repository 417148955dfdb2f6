# One image for every Lakeplane function; FUNCTION_TARGET (set per Knative Service) picks which one a pod serves.

FROM node:20-slim AS build
WORKDIR /app
# Lockfile first so the dependency layer is cached across source-only changes.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Build with dev dependencies, then drop them so the runtime stage copies production modules only.
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
# A fixed numeric UID: Kubernetes can only enforce runAsNonRoot against a numeric USER, and the manifests pin 10001.
RUN groupadd --gid 10001 lakeplane \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin lakeplane
# Files stay owned by root: the app never writes its own code (the pods run with a read-only root filesystem).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001
# Knative sets PORT to the containerPort (8080) of the manifests; the server reads PORT.
EXPOSE 8080
CMD ["node", "dist/serve.js"]
