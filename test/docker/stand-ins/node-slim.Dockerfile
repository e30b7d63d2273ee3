# A stand-in for the official node:20-bookworm-slim, built by test/docker where no container
# registry answers. FROM the debian:bookworm-slim stand-in, with the Node 20 that runs the test and
# npm 10 laid out as the official image has them: node, its headers and npm under /usr/local, the
# `node` user (uid 1000), and an entry point that runs node. Context (made by the test): node,
# include/node/, npm.tgz (npm pack npm@10), docker-entrypoint.sh.
FROM debian:bookworm-slim
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY node /usr/local/bin/node
COPY include/node /usr/local/include/node
COPY npm.tgz /tmp/npm.tgz
RUN mkdir -p /usr/local/lib/node_modules/npm \
 && tar -xzf /tmp/npm.tgz --strip-components=1 --no-same-owner -C /usr/local/lib/node_modules/npm \
 && rm /tmp/npm.tgz \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ARG NODE_VERSION
ENV NODE_VERSION=${NODE_VERSION}
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
