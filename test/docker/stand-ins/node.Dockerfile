# A stand-in for the official node:20-bookworm (the link image's build stage), built by test/docker
# where no container registry answers. The official image is node on buildpack-deps:bookworm; this
# is the node:20-bookworm-slim stand-in plus buildpack-deps' compiler toolchain, curl, and those of
# its -dev packages that librdkafka's configure looks for (libcurl, OpenSSL, zlib, Kerberos): the
# libraries librdkafka links are the ones it would link on the official image. The rest of
# buildpack-deps (version control, ImageMagick, MySQL, PostgreSQL... headers) is left out: nothing
# in the build reads it, and installing it cost minutes of every cold run.
# extra-ca-certificates.pem holds the CA certificates the test's host trusts beyond Debian's
# (a TLS-intercepting proxy's): read from the host when the test runs, never committed; npm and
# pnpm in the build stage trust them through NODE_EXTRA_CA_CERTS.
FROM node:20-bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    ca-certificates curl netbase procps \
    bzip2 dpkg-dev file g++ gcc libc6-dev make patch python3 unzip xz-utils \
    libcurl4-openssl-dev libkrb5-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
COPY extra-ca-certificates.pem /usr/local/share/catenae-test/extra-ca-certificates.pem
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/catenae-test/extra-ca-certificates.pem
