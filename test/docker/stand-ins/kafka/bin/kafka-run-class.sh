#!/usr/bin/env bash
# Runs a class on the broker's classpath, as Kafka's own script does for its tools: a 256 MiB heap
# unless KAFKA_HEAP_OPTS says, warnings and errors on stderr. The JIT's first tier and the serial GC:
# a tool lives a second or two, and the healthcheck starts one every 5 s beside the broker.
# shellcheck disable=SC2086 # the options are word lists, as in Kafka's own scripts
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.xml ${KAFKA_OPTS:-} \
  -cp '/opt/kafka/libs/*' "$@"
