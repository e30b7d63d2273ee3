package io.catenae.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The Kafka Streams side of native-bench's table and window benchmarks. It counts the records of
 * an input topic per key ({@code mode=count}: {@code groupByKey().count()}) or per key and
 * 1-minute tumbling window of event time, the records' timestamps ({@code mode=windowed-count}:
 * {@code TimeWindows.ofSizeWithNoGrace}), and writes each count it emits to the output topic as a
 * decimal string, keyed by the key ({@code count}) or by {@code <key>@<window start ms>}.
 *
 * <p>Arguments are {@code name=value}: {@code mode}, {@code bootstrap}, {@code input},
 * {@code output}, {@code app-id}, {@code state-dir}, {@code guarantee} ({@code at_least_once} or
 * {@code exactly_once_v2}), {@code cache} ({@code default}, or {@code off} for
 * {@code statestore.cache.max.bytes=0}: every update emitted) and {@code expect} (the records the
 * input holds). Everything else is Kafka Streams' default.
 *
 * <p>It tells the harness, in JSON lines on stdout: {@code {"running":ms}} when the instance runs
 * for the first time, {@code {"first":ms}} and {@code {"last":ms}} when the first and the
 * {@code expect}-th record enter the topology (wall clock, a {@code peek} before the aggregation),
 * and {@code {"error":"..."}} before it exits on an error. SIGTERM closes it.
 */
public final class StreamsCount {
  private StreamsCount() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = parse(args);
    long expect = Long.parseLong(options.get("expect"));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, options.get("app-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("bootstrap"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, options.get("state-dir"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.get("guarantee"));
    if (options.get("cache").equals("off")) props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);

    StreamsBuilder builder = new StreamsBuilder();
    AtomicLong seen = new AtomicLong();
    KStream<String, byte[]> input = builder.stream(options.get("input"), Consumed.with(Serdes.String(), Serdes.ByteArray()));
    // The key is unchanged, so groupByKey reads the input's partitions as they are (no repartition).
    KGroupedStream<String, byte[]> grouped = input
        .peek((key, value) -> {
          long n = seen.incrementAndGet();
          if (n == 1) tell("first", System.currentTimeMillis());
          if (n == expect) tell("last", System.currentTimeMillis());
        })
        .groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()));
    Produced<String, String> asText = Produced.with(Serdes.String(), Serdes.String());
    switch (options.get("mode")) {
      case "count" -> grouped
          .count(Materialized.as("counts"))
          .toStream()
          .mapValues(String::valueOf)
          .to(options.get("output"), asText);
      case "windowed-count" -> grouped
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
          .count(Materialized.as("window-counts"))
          .toStream((window, count) -> window.key() + "@" + window.window().start())
          .mapValues(String::valueOf)
          .to(options.get("output"), asText);
      default -> throw new IllegalArgumentException("mode=" + options.get("mode") + " is not count or windowed-count");
    }

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch failed = new CountDownLatch(1);
    streams.setStateListener((next, previous) -> {
      if (next == KafkaStreams.State.RUNNING && previous == KafkaStreams.State.REBALANCING) tell("running", System.currentTimeMillis());
    });
    streams.setUncaughtExceptionHandler(error -> {
      tell("error", error.toString());
      failed.countDown();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(30))));
    streams.start();
    failed.await();
    streams.close(Duration.ofSeconds(10));
    System.exit(1);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>(Map.of("mode", "count", "guarantee", "at_least_once", "cache", "default"));
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) throw new IllegalArgumentException("argument \"" + arg + "\" is not name=value");
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    for (String required : new String[] {"bootstrap", "input", "output", "app-id", "state-dir", "expect"}) {
      if (!options.containsKey(required)) throw new IllegalArgumentException("missing " + required + "=...");
    }
    return options;
  }

  // One line per call, whole: the peek and the state listener run on different threads.
  private static synchronized void tell(String field, Object value) {
    String json = value instanceof String text ? '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("\\s+", " ") + '"' : String.valueOf(value);
    System.out.println("{\"" + field + "\":" + json + "}");
    System.out.flush();
  }
}
