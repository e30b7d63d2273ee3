# A stand-in for the official apache/kafka:4.1.1, built by test/docker where no container registry
# answers: Debian's OpenJDK 17 instead of Temurin 21 on Alpine, and the Kafka jars from Maven
# Central (the local broker's classpath, packages/kafka/local-broker/pom.xml, plus kafka-tools for
# the bin/ scripts) instead of the release tarball. Laid out like the official image where the
# compose files and their users touch it: /opt/kafka/bin/*.sh, the `appuser` user, its volumes, and
# /etc/kafka/docker/run turning KAFKA_* variables into server.properties.
# Context (made by the test): libs/, and this directory's kafka/ as bin/, config/ and run.
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
COPY libs/ /opt/kafka/libs/
COPY bin/ /opt/kafka/bin/
COPY config/ /opt/kafka/config/
COPY run /etc/kafka/docker/run
RUN useradd --create-home --shell /bin/bash appuser \
 && mkdir -p /var/lib/kafka/data /etc/kafka/secrets /mnt/shared/config \
 && chown -R appuser:appuser /opt/kafka/config /mnt/shared/config \
 && chown -R appuser:root /var/lib/kafka /etc/kafka
USER appuser
VOLUME ["/etc/kafka/secrets", "/var/lib/kafka/data", "/mnt/shared/config"]
CMD ["/etc/kafka/docker/run"]
