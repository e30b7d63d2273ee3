#!/usr/bin/env bash
# Brings a fresh machine (Node 20 and npm) to where `pnpm demo` and `pnpm test` run:
# pnpm, Java and Maven (the local Kafka broker runs Apache Kafka's jars), Chromium (the dashboard's
# browser test), jemalloc (the `catenae` launcher's allocator), Docker Engine, docker-compose and
# debootstrap (test/docker builds the link image and runs the compose files), and the workspace's
# packages (node-rdkafka compiles librdkafka, about 2 minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing pnpm 12" >&2
  as_root npm install -g pnpm@12.21.0 >&2
fi

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "setup: installing Java 17 and Maven" >&2
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq openjdk-17-jre-headless maven >&2
fi

# The dashboard's browser test drives Debian's Chromium: playwright-core downloads no browser, and
# browser downloads fail on machines without internet access.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing Chromium (the dashboard's browser test)" >&2
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq chromium >&2
fi

# jemalloc: the `catenae` launcher loads it when the system has it (packages/cli/src/bin.ts); a
# busy link spends 20–40% more CPU per electron with glibc's malloc.
if command -v apt-get >/dev/null 2>&1 && ! ls /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 2>/dev/null | grep -q .; then
  echo "setup: installing jemalloc (the catenae launcher's allocator)" >&2
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq libjemalloc2 >&2
fi

# test/docker: Debian's Docker Engine (20.10; the test starts dockerd itself, no systemd needed),
# docker-compose v1 (the `docker compose` plugin is not packaged), and debootstrap (the base images
# are made locally: no container registry answers on these machines). About 30 s.
if command -v apt-get >/dev/null 2>&1 && { ! command -v dockerd >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; }; then
  echo "setup: installing Docker Engine, docker-compose and debootstrap (test/docker)" >&2
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq docker.io docker-compose debootstrap >&2
fi

# node-gyp downloads Node's headers unless told where they are; machines without internet
# access have them next to the node binary (or in /usr/include/node).
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix=$(node -p "require('node:path').resolve(process.execPath, '..', '..')")
  for dir in "$prefix" /usr /usr/local; do
    if [ -f "$dir/include/node/node.h" ]; then export npm_config_nodedir="$dir"; break; fi
  done
fi

pnpm install --frozen-lockfile >&2
