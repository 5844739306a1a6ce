# HomelabARR CE as a container image.
#
#   docker build --build-arg DOCKER_GID=$(stat -c %g /var/run/docker.sock) -t homelabarr-ce .
#
# BASE is any Debian 12 image with Node.js 20 (node, npm and its headers) under /usr/local, such as
# node:20-bookworm-slim. Where no image can be pulled, build one locally from Debian's archive
# (debootstrap + docker import; test/ops/image.serial.test.ts shows how) and pass it as BASE.
# Only the classic builder's features are used, so DOCKER_BUILDKIT=0 works too.
ARG BASE=node:20-bookworm-slim

# ---- build: dependencies (better-sqlite3 compiles here), the server and the dashboard ----
FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp uses the headers of the Node.js in the image instead of downloading them.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# ---- compose: compose v2, one static binary, from Debian trixie's docker-compose package ----
FROM ${BASE} AS compose
RUN set -eu; \
    mkdir -p /tmp/apt/lists/partial /tmp/apt/archives/partial /out; \
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' > /tmp/apt/sources.list; \
    opts="-o Dir::Etc::sourcelist=/tmp/apt/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::lists=/tmp/apt/lists -o Dir::Cache::archives=/tmp/apt/archives -o Dir::Cache::pkgcache=/tmp/apt/pkgcache.bin -o Dir::Cache::srcpkgcache=/tmp/apt/srcpkgcache.bin"; \
    apt-get $opts update -q; \
    cd /tmp/apt && apt-get $opts download docker-compose; \
    dpkg -x /tmp/apt/docker-compose_*.deb /tmp/apt/x; \
    cp /tmp/apt/x/usr/libexec/docker/cli-plugins/docker-compose /out/docker-compose; \
    /out/docker-compose version

# ---- runtime ----
FROM ${BASE}
# The group id of /var/run/docker.sock on the host: the server's user joins that group, so it can
# use the socket without running as root.
ARG DOCKER_GID=999
ARG APP_UID=10001
# Written into /etc directly: useradd is not in every Debian base (debootstrap's minbase lacks it).
RUN set -eu; \
    echo "homelabarr:x:${APP_UID}:" >> /etc/group; \
    echo "homelabarr:x:${APP_UID}:${APP_UID}:HomelabARR CE:/data:/usr/sbin/nologin" >> /etc/passwd; \
    if getent group "${DOCKER_GID}" >/dev/null; then \
      sed -i -e "/^[^:]*:[^:]*:${DOCKER_GID}:/{s/:\$/:homelabarr/;t;s/\$/,homelabarr/}" /etc/group; \
    else \
      echo "docker:x:${DOCKER_GID}:homelabarr" >> /etc/group; \
    fi; \
    mkdir -p /data /app; \
    chown "${APP_UID}:${APP_UID}" /data; \
    chmod 0700 /data
COPY --from=compose /out/docker-compose /usr/local/bin/docker-compose
WORKDIR /app
COPY package.json ./
COPY migrations ./migrations
COPY apps ./apps
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
RUN chmod 0755 dist/server/cli.js && ln -s /app/dist/server/cli.js /usr/local/bin/homelabarr
ENV NODE_ENV=production \
    DATA_DIR=/data \
    BIND_ADDRESS=0.0.0.0 \
    BACKEND_PORT=8092 \
    FRONTEND_PORT=8084 \
    DOCKER_HOST=unix:///var/run/docker.sock
USER homelabarr
EXPOSE 8092 8084
# Healthy while the server answers and its database works; "degraded" (Docker unreachable) is
# still healthy: restarting this container would not bring Docker back, and /health says why.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BACKEND_PORT||8092)+'/health').then(r=>r.json()).then(b=>process.exit(b.status==='error'?1:0),()=>process.exit(1))"]
# A 1 MB young generation, V8's size-over-speed heap tuning and one V8 worker thread: ~82 MiB
# resident idle and ~105 MiB under load instead of ~130 and ~200 (bench/README.md).
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "--v8-pool-size=1", "dist/server/main.js"]
