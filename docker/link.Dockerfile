# syntax=docker/dockerfile:1
# The Catenae link base image: Node 20, the `catenae` CLI, @catenae/core, @catenae/kafka
# (node-rdkafka, librdkafka compiled from source), @catenae/connectors and @catenae/state-lmdb
# (tables' local stores, in /var/lib/catenae/state unless --state-dir says), plus the examples.
#
#   docker build -f docker/link.Dockerfile -t catenae/link .       # from the repository root
#   docker run --rm catenae/link /opt/catenae/examples/dist/wordcount/mapper.js -k kafka:9092
#
# Your own links: `FROM catenae/link`, copy the compiled .js files into the working directory
# (/opt/catenae/app, where `import '@catenae/core'` resolves to the image's copy) and give the
# `catenae run` arguments as CMD, e.g. CMD ["mapper.js", "-k", "kafka:9092", "-i", "in", "-o", "out"].

ARG NODE_VERSION=20

# ---- build: compile librdkafka and the TypeScript, then keep only what runs ----
FROM node:${NODE_VERSION}-bookworm AS build
# librdkafka's configure links every optional library it finds, and node:*-bookworm already has
# some of them (libcurl4-openssl-dev, for one): name all of them here, so the set does not depend on
# what the base image happens to carry, and the runtime stage installs exactly their runtime
# packages (test/docker checks both sides with ldd). TLS, Cyrus SASL (GSSAPI), zlib, zstd, lz4,
# and libcurl (OAUTHBEARER/OIDC token requests).
# Unpinned on purpose: the security updates of the base image's Debian release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
    libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
ARG PNPM_VERSION=12.21.0
RUN npm install -g pnpm@${PNPM_VERSION}
# node-gyp builds node-rdkafka against the headers this Node ships instead of downloading them
# (the repository's .npmrc points at a Debian layout, so it is not copied). CI=true: pnpm never
# prompts.
ENV npm_config_nodedir=/usr/local CI=true
WORKDIR /opt/catenae

# Manifests first: the install layer (librdkafka's compile, minutes) is rebuilt only when they change.
# pnpm-workspace.yaml carries `allowBuilds` for node-rdkafka, which pnpm 12 requires.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/core/package.json packages/core/
COPY packages/kafka/package.json packages/kafka/
COPY packages/connectors/package.json packages/connectors/
COPY packages/state-lmdb/package.json packages/state-lmdb/
COPY packages/cli/package.json packages/cli/
COPY examples/package.json examples/
# node-gyp builds librdkafka by running a plain `make` from inside its own make, which passes it no
# jobserver: it compiles one file at a time whatever MAKEFLAGS says. A `make` first on PATH for this
# step only gives that inner make (MAKELEVEL set) a job per core; node-gyp's own make stays serial,
# as its configure and build actions race under -j.
RUN mkdir -p /tmp/make-per-core \
 && printf '#!/bin/sh\n[ -z "$MAKELEVEL" ] || set -- -j"$(nproc)" "$@"\nexec /usr/bin/make "$@"\n' >/tmp/make-per-core/make \
 && chmod +x /tmp/make-per-core/make \
 && PATH="/tmp/make-per-core:$PATH" pnpm install --frozen-lockfile \
 && rm -rf /tmp/make-per-core

COPY packages/ packages/
COPY examples/ examples/
# test/ and native-bench/ are not in the image: build the packages and examples by name.
RUN pnpm exec tsc -b packages/core packages/kafka packages/connectors packages/state-lmdb packages/cli examples

# Then keep only what runs:
# - production dependencies: prune drops the dev ones (TypeScript, the aerospike client the
#   connectors test with) and their store entries; node-rdkafka stays as built;
# - one copy of each Catenae package, reachable from anywhere under /opt/catenae: the CLI loads
#   @catenae/kafka, @catenae/connectors and @catenae/state-lmdb by name, and users' links in ./app
#   import @catenae/core;
# - dist/ and librdkafka's shared objects, not sources, tests or the C build tree (~450 MB).
RUN pnpm prune --prod --offline \
 && mkdir -p node_modules/@catenae \
 && ln -sfn ../../packages/core node_modules/@catenae/core \
 && ln -sfn ../../packages/kafka node_modules/@catenae/kafka \
 && ln -sfn ../../packages/connectors node_modules/@catenae/connectors \
 && ln -sfn ../../packages/state-lmdb node_modules/@catenae/state-lmdb \
 && rdkafka="$(node -p "path.dirname(require.resolve('node-rdkafka/package.json', { paths: ['packages/kafka'] }))")" \
 && rm -rf "$rdkafka/deps" "$rdkafka/build/Release/obj.target" "$rdkafka/build/Release/.deps" \
    "$rdkafka/build/deps/include" "$rdkafka/build/deps/librdkafka" "$rdkafka"/build/deps/*.a \
 && rm -rf packages/*/src examples/*/*.ts examples/dist/tsconfig.tsbuildinfo packages/*/tsconfig.tsbuildinfo \
 && find packages examples -name '*.test.*' -delete \
 && node -e "require(require.resolve('node-rdkafka', { paths: ['packages/kafka'] }))"

# ---- runtime: Node and librdkafka's shared libraries, nothing to compile with ----
FROM node:${NODE_VERSION}-bookworm-slim
# The runtime packages of the build stage's -dev ones, one for one: a library librdkafka was
# linked against and the image lacks makes every link die at start with ERR_DLOPEN_FAILED.
# libjemalloc2: the `catenae` launcher loads it (a busy link spends less CPU per electron with it).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libsasl2-2 zlib1g libzstd1 liblz4-1 libcurl4 libjemalloc2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The instance uid needs no configuration: inside a container the runtime takes $HOSTNAME
# (the container id under Docker, stable across restarts; the pod name under Kubernetes), so
# an instance keeps its RPC identity. `container` helps it tell it is in one on runtimes that
# create no /.dockerenv.
ENV NODE_ENV=production container=docker
COPY --from=build /opt/catenae /opt/catenae
# The native modules must load here: a missing library fails the build, not every link at start.
# Tables keep their shards in /var/lib/catenae/state (CATENAE_STATE_DIR, the default of
# --state-dir in this image), owned by the `node` user, so that a volume mounted there starts
# writable (Docker copies the directory's owner into a new volume).
RUN node -e "for (const m of ['node-rdkafka', 'lmdb']) require(require.resolve(m, { paths: ['/opt/catenae/packages/kafka', '/opt/catenae/packages/state-lmdb'] }))" \
 && mkdir -p /var/lib/catenae/state \
 && chown -R 1000:1000 /var/lib/catenae
ENV CATENAE_STATE_DIR=/var/lib/catenae/state
WORKDIR /opt/catenae/app
# The node image's unprivileged `node` user, by number so runAsNonRoot can check it.
USER 1000:1000
# SIGTERM drains, commits and calls finish within --shutdown-timeout (30 s by default): give
# `docker stop` that long (compose: stop_grace_period).
STOPSIGNAL SIGTERM
# /bin/sh runs the CLI as its bin shims do: the script execs Node with the young generation
# packages/cli/src/bin.ts asks for, so Node is PID 1 and gets the signals.
ENTRYPOINT ["/bin/sh", "/opt/catenae/packages/cli/dist/bin.js", "run"]
CMD ["--help"]
