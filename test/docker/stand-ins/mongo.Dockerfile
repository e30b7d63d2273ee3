# A stand-in for the official mongo:7, built by test/docker where no container registry answers:
# FerretDB 1.x on SQLite (the project's test server, test/services/ferretdb), which speaks
# MongoDB's wire protocol, on the debian:bookworm-slim stand-in. Laid out like the official image
# where the compose files touch it: port 27017, the `mongodb` user (uid 999), the data volumes. It
# has no mongosh. Context (made by the test): ferretdb, the built server.
FROM debian:bookworm-slim
COPY ferretdb /usr/local/bin/ferretdb
RUN groupadd --gid 999 mongodb \
 && useradd --uid 999 --gid mongodb --no-create-home mongodb \
 && mkdir -p /data/db /data/configdb \
 && chown -R mongodb:mongodb /data
USER mongodb
VOLUME ["/data/db", "/data/configdb"]
EXPOSE 27017
CMD ["ferretdb", "0.0.0.0:27017", "/data/db"]
