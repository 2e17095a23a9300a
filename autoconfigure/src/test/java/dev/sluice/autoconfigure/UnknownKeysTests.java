package dev.sluice.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key under {@code sluice} that is not a Sluice property fails start-up, from a real {@code application.yml}: the
 * report names the key as written, its value, its origin (file and line) and the nearest valid key; maps are checked
 * against their value types and free-form maps are left free; {@code sluice.validation.fail-on-unknown-keys=false}
 * lets such keys be.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownKeysTests {

    @TempDir
    Path dir;

    @Test
    void aMisspeltKeyOfAConsumerNamesTheKeyItsOriginAndTheNearestKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    uploads:
                      high-water-mak: 1KB
                """);
        assertThat(report).contains("a key under 'sluice' is not a Sluice property")
            .contains("Property: sluice.consumers.uploads.high-water-mak\n").contains("Value: \"1KB\"")
            .contains("application.yml] - 4:23")
            .contains("Reason: unknown key: did you mean `high-water-mark`? "
                    + "(sluice.consumers.uploads.high-water-mark)")
            .contains("sluice.validation.fail-on-unknown-keys=false");
    }

    @Test
    void aMisspeltGroupNamesTheNearestGroupAndTheWholeKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  bufer:
                    high-water-mark: 1KB
                """);
        assertThat(report).contains("Property: sluice.bufer.high-water-mark\n").contains("application.yml] - 3:22")
            .contains("did you mean `buffer`? (sluice.buffer.high-water-mark)");
    }

    @Test
    void swappedLettersAreATypo(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  buffer:
                    hihg-water-mark: 1KB
                """);
        assertThat(report).contains("Property: sluice.buffer.hihg-water-mark\n")
            .contains("did you mean `high-water-mark`? (sluice.buffer.high-water-mark)");
    }

    @Test
    void aMisspeltKeyOfAPipeNamesTheNearestKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    orders: { prodcuer: feed, consumer: uploads }
                """);
        assertThat(report).contains("Property: sluice.pipes.orders.prodcuer\n").contains("Value: \"feed\"")
            .contains("application.yml] - 3:25")
            .contains("did you mean `producer`? (sluice.pipes.orders.producer)");
    }

    @Test
    void everyUnknownKeyIsReportedAtOnceWithTheKeyAsWritten(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    bigUploads:
                      high-water-mark: 1MB
                      lowWaterMarks: 1KB
                  shutdown:
                    timeot: 10s
                """);
        assertThat(report).contains("keys under 'sluice' are not a Sluice property")
            .contains("Property: sluice.consumers.bigUploads.lowWaterMarks\n")
            .contains("did you mean `low-water-mark`? (sluice.consumers.bigUploads.low-water-mark)")
            .contains("Property: sluice.shutdown.timeot\n")
            .contains("did you mean `timeout`? (sluice.shutdown.timeout)");
    }

    @Test
    void aKeyFarFromEveryKeyListsTheKeysThere(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  file:
                    size: 1KB
                """);
        assertThat(report).contains("Property: sluice.file.size\n")
            .contains("Reason: unknown key: no key 'size' under sluice.file; the keys there are chunk-size");
    }

    @Test
    void aValueWhereAGroupIsExpectedIsAnUnknownKeyUnderIt(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  buffer:
                    high-water-mark:
                      bytes: 1KB
                """);
        assertThat(report).contains("Property: sluice.buffer.high-water-mark.bytes\n");
    }

    @Test
    void aMisspeltKafkaListenerKeyNamesTheNearestKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topcis: orders
                """);
        assertThat(report).contains("Property: sluice.kafka.listeners.orders.topcis\n")
            .contains("did you mean `topics`? (sluice.kafka.listeners.orders.topics)");
    }

    @Test
    void aMisspeltHttpKeyIsFoundOutsideAWebApplication(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  http:
                    read-thread: 4
                """);
        assertThat(report).contains("Property: sluice.http.read-thread\n")
            .contains("did you mean `read-threads`? (sluice.http.read-threads)");
    }

    @Test
    void theKafkaPassThroughPropertiesTakeAnyKey() {
        UnknownKeysCheck check = new UnknownKeysCheck(environment("""
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: [orders, returns]
                        group-id: orders
                        key-deserializer: org.apache.kafka.common.serialization.StringDeserializer
                        properties:
                          isolation.level: read_committed
                          "[max.poll.interval.ms]": 300000
                          fetch.min.bytes: 1
                """));
        assertThat(check.find(getClass().getClassLoader())).isEmpty();
    }

    @Test
    void everyKeyOfTheMetadataIsKnown() {
        UnknownKeysCheck check = new UnknownKeysCheck(environment("""
                sluice:
                  buffer: { high-water-mark: 64KB, low-water-mark: 32KB, high-water-items: 1000, low-water-items: 500 }
                  consumers:
                    uploads: { high-water-mark: 64KB, low-water-mark: 32KB }
                    orders: { high-water-items: 10, low-water-items: 5 }
                  cooperator: { time-slice: 10ms }
                  file: { chunk-size: 16KB }
                  metrics: { enabled: true, max-names: 1000 }
                  health: { stall-threshold: 30s, stall-status: DOWN }
                  shutdown: { timeout: 30s }
                  validation: { fail-on-unknown-keys: true }
                  pipes:
                    firehose: { producer: feed, consumer: uploads }
                  http: { read-threads: 8 }
                  kafka:
                    listeners:
                      orders: { topics: orders, concurrency: 2, poll-batch: 50, check-topics: false }
                """));
        assertThat(check.find(getClass().getClassLoader())).isEmpty();
    }

    @Test
    void environmentVariablesAreNotChecked() {
        StandardEnvironment environment = environment("sluice: {}\n");
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                "systemEnvironment", Map.<String, Object>of("SLUICE_BUFER_HIGHWATERMARK", "1KB")));
        assertThat(new UnknownKeysCheck(environment).find(getClass().getClassLoader())).isEmpty();
    }

    @Test
    void unknownKeysStartWhenTheCheckIsOff() {
        try (ConfigurableApplicationContext context = StartupReports.start(this.dir, """
                sluice:
                  validation:
                    fail-on-unknown-keys: false
                  bufer:
                    high-water-mark: 1KB
                  other-tool:
                    setting: 1
                """, SluiceOnly.class, Beans.class)) {
            assertThat(context.getBean(SluiceProperties.class).getBuffer().getHighWaterMark().toKilobytes())
                .isEqualTo(64);
        }
    }

    private String startupFailure(CapturedOutput output, String yaml) {
        return StartupReports.startupFailure(output, this.dir, yaml, SluiceOnly.class, Beans.class);
    }

    /** An environment with {@code yaml} as its only property source, as Spring Boot loads it. */
    private static StandardEnvironment environment(String yaml) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove("systemEnvironment");
        environment.getPropertySources().remove("systemProperties");
        try {
            for (PropertySource<?> source : new YamlPropertySourceLoader()
                .load("application.yml", new ByteArrayResource(yaml.getBytes(
                        StandardCharsets.UTF_8)))) {
                environment.getPropertySources().addLast(source);
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        ConfigurationPropertySources.attach(environment);
        return environment;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SluiceAutoConfiguration.class)
    static class SluiceOnly {
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        BufferedConsumer<ByteBuffer> uploads(BufferedConsumerFactory consumers) {
            return consumers.builder("uploads", RecordingSink.<ByteBuffer>accepting(), Weigher.bytes()).build();
        }

        @Bean
        StrictPushProducer feed() {
            return new StrictPushProducer();
        }
    }
}
