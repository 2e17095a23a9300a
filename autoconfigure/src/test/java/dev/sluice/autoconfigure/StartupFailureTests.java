package dev.sluice.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad Sluice configuration fails start-up with Spring Boot's failure report, as a user sees it: an
 * application started from an {@code application.yml}, and the "APPLICATION FAILED TO START" description that names
 * the property as written ({@code sluice.buffer.low-water-mark}), its value as written ({@code 128KB}) and its origin
 * (file and line), and an action that says what to change.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

    @TempDir
    Path dir;

    @Test
    void anUnknownStallStatusIsRejectedWithTheValidValues(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  health:
                    stall-status: BOGUS
                """);
        assertThat(report).contains("Property: sluice.health.stall-status").contains("Value: \"BOGUS\"")
            .contains("application.yml] - 3:19")
            .contains("The following values are valid:").contains("OUT_OF_SERVICE");
    }

    @Test
    void aMistypedConsumerNameNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    upload:
                      high-water-mark: 256KB
                """, Uploads.class);
        assertThat(report).contains("Property 'sluice.consumers.upload' names no consumer bean")
            .contains("Consumer beans: [other, uploads]; names declared for consumers made at run time: []");
    }

    @Test
    void aHighWaterMarkOfZeroIsRejected(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    uploads:
                      high-water-mark: 0
                """, Uploads.class);
        assertThat(report).contains("Property: sluice.consumers.uploads.high-water-mark").contains("Value: \"0\"")
            .contains("application.yml] - 4:24").contains("Reason: must be positive")
            .contains("Set sluice.consumers.uploads.high-water-mark to a value above 0, such as 64KB.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            buffer.high-water-mark: 0       | sluice.buffer.high-water-mark    | must be positive                     | Set sluice.buffer.high-water-mark to a value above 0
            buffer.high-water-mark: 2GB     | sluice.buffer.high-water-mark    | must be at most 1GB: a buffer that large is a heap | Set sluice.buffer.high-water-mark to 1GB or less
            consumers.bigUploads.high-water-mark: 0 | sluice.consumers.bigUploads.high-water-mark | must be positive | Set sluice.consumers.bigUploads.high-water-mark to a value above 0
            buffer.high-water-items: 0      | sluice.buffer.high-water-items   | must be positive                     | Set sluice.buffer.high-water-items to a value above 0
            buffer.low-water-mark: -1B      | sluice.buffer.low-water-mark     | must not be negative                 | Set the low-water mark to a size of 0 or more
            buffer.low-water-mark: 128KB    | sluice.buffer.low-water-mark     | must not be above the high-water mark (sluice.buffer.high-water-mark = 64KB) | Set sluice.buffer.low-water-mark to 64KB or less
            buffer.low-water-items: 2000    | sluice.buffer.low-water-items    | must not be above the high-water mark (sluice.buffer.high-water-items = 1000) | Set sluice.buffer.low-water-items to 1000 or less
            file.chunk-size: 0              | sluice.file.chunk-size           | must be positive                     | Set sluice.file.chunk-size to a value above 0
            file.chunk-size: 3GB            | sluice.file.chunk-size           | must be at most 4MB: each file transfer holds whole chunks in memory | Set sluice.file.chunk-size to 4MB or less
            file.chunk-size: 8MB            | sluice.file.chunk-size           | must be at most 4MB                  | Set sluice.file.chunk-size to 4MB or less
            file.chunk-size: 128KB          | sluice.file.chunk-size           | must not be larger than the high-water mark (sluice.buffer.high-water-mark = 64KB) | Set sluice.file.chunk-size to 64KB or less, or raise sluice.buffer.high-water-mark to at least 128KB
            cooperator.time-slice: 0ms      | sluice.cooperator.time-slice     | must be positive                     | Set sluice.cooperator.time-slice to a duration such as 10ms
            shutdown.timeout: -1s           | sluice.shutdown.timeout          | must not be negative                 | Set sluice.shutdown.timeout to a duration such as 30s
            health.stall-threshold: -1s     | sluice.health.stall-threshold    | must not be negative                 | Set sluice.health.stall-threshold to a duration such as 30s
            metrics.max-names: -1           | sluice.metrics.max-names         | must not be negative                 | Set sluice.metrics.max-names to a count such as 1000
            """)
    void aBadValueNamesItsPropertyAsWrittenItsValueAsWrittenItsOriginAndWhatToDo(String setting, String property,
            String reason, String action, CapturedOutput output) {
        String[] path = setting.substring(0, setting.indexOf(':')).split("\\.");
        StringBuilder yaml = new StringBuilder("sluice:\n");
        for (int depth = 0; depth < path.length; depth++) {
            yaml.append("  ".repeat(depth + 1)).append(path[depth]).append(":");
            yaml.append((depth == path.length - 1) ? setting.substring(setting.indexOf(':') + 1) : "").append('\n');
        }
        String report = startupFailure(output, yaml.toString(), Uploads.class);
        String written = setting.substring(setting.indexOf(':') + 1).strip();
        assertThat(report).contains("Property: " + property + "\n").contains("Value: \"" + written + "\"")
            .contains("Reason: " + reason).contains("application.yml] - " + (path.length + 1) + ":")
            .contains("Action:\n\n" + action);
        assertThat(report).doesNotContain("ArithmeticException").doesNotContain("circular");
    }

    @Test
    void aPipeWithoutAProducerNamesThePipeAndTheMissingKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    orders: { consumer: uploads }
                """, Uploads.class);
        assertThat(report).contains("Property: sluice.pipes.orders.producer\n").contains("Value: (not set)")
            .contains("application.yml] - 3:25").contains("Reason: is required: pipe 'orders' has no producer")
            .contains("Set sluice.pipes.orders.producer to the bean name of the producer");
    }

    @Test
    void aPipeWithoutAConsumerNamesThePipeAndTheMissingKey(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    firehose:
                      producer: feed
                """, Uploads.class, Feed.class);
        assertThat(report).contains("Property: sluice.pipes.firehose.consumer\n")
            .contains("Reason: is required: pipe 'firehose' has no consumer")
            .contains("Set sluice.pipes.firehose.consumer to the bean name of the consumer");
    }

    @Test
    void aPipeWithAMisspeltKeyIsReportedAsMissingItsProducerWhenUnknownKeysAreAllowed(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  validation:
                    fail-on-unknown-keys: false
                  pipes:
                    orders: { prodcuer: feed, consumer: uploads }
                """, Uploads.class, Feed.class);
        assertThat(report).contains("Property: sluice.pipes.orders.producer\n")
            .contains("Reason: is required: pipe 'orders' has no producer");
    }

    @Test
    void aLowWaterMarkAboveItsConsumersHighOneNamesBoth(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    uploads:
                      high-water-mark: 10B
                      low-water-mark: 11B
                """, Uploads.class);
        assertThat(report).contains("Property: sluice.consumers.uploads.low-water-mark").contains("Value: \"11B\"")
            .contains("application.yml] - 5:23")
            .contains("must not be above the high-water mark (sluice.consumers.uploads.high-water-mark = 10B)")
            .contains("Set sluice.consumers.uploads.low-water-mark to 10B or less");
    }

    @Test
    void aConsumersLowMarkAboveTheSharedHighMarkNamesBothAsWritten(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  buffer:
                    high-water-mark: 1MB
                  consumers:
                    uploads:
                      low-water-mark: 1536KB
                """, Uploads.class);
        assertThat(report).contains("Property: sluice.consumers.uploads.low-water-mark").contains("Value: \"1536KB\"")
            .contains("application.yml] - 6:23")
            .contains("must not be above the high-water mark (sluice.buffer.high-water-mark = 1MB)");
    }

    @Test
    void aSizeAndACountForOneConsumerAreRejected(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    uploads:
                      high-water-mark: 64KB
                      high-water-items: 100
                """, Uploads.class);
        assertThat(report).contains("Property: sluice.consumers.uploads.high-water-items")
            .contains("a consumer weighs either bytes").contains("Keep the pair that matches the consumer's weigher");
    }

    @Test
    void aSizeForAConsumerThatWeighsItemsNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    orders:
                      high-water-mark: 64KB
                """, Orders.class);
        assertThat(report).contains("Property 'sluice.consumers.orders.high-water-mark' is a size in bytes, but "
                + "consumer 'orders' weighs items (value: 64KB)").contains("application.yml] - 4:24")
            .contains("high-water-items");
    }

    @Test
    void aConsumerBeanBuiltWithoutItsSettingsIsReported(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  consumers:
                    sink:
                      high-water-mark: 1KB
                """, HandBuiltSink.class);
        assertThat(report).contains("Property 'sluice.consumers.sink' is not what consumer bean 'sink' was built with")
            .contains("BufferedConsumerFactory.builder(\"sink\", sink, weigher)");
    }

    @Test
    void aConsumerWhoseNameIsNotItsBeanNameIsReported(CapturedOutput output) {
        String report = startupFailure(output, "sluice: {}\n", MisnamedConsumer.class);
        assertThat(report).contains("Bean 'uploads' is a consumer named 'upload', not 'uploads'")
            .contains("rename the bean to 'upload'");
    }

    @Test
    void aSecondPipeOnTheSameProducerNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    first: { producer: feed, consumer: uploads }
                    second: { producer: feed, consumer: other }
                """, Uploads.class, Feed.class);
        assertThat(report).contains("Property 'sluice.pipes.second.producer' names the producer that "
                + "sluice.pipes.first.producer already names");
        assertThat(report).doesNotContain("was never unregistered");
    }

    @Test
    void aSecondPipeOnTheSameConsumerNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    first: { producer: feed, consumer: uploads }
                    second: { producer: feed2, consumer: uploads }
                """, Uploads.class, Feed.class);
        assertThat(report).contains("Property 'sluice.pipes.second.consumer' names the consumer that "
                + "sluice.pipes.first.consumer already names");
    }

    @Test
    void aPipeOnAConsumerWithAProducerRegisteredByHandNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    orders: { producer: feed, consumer: other }
                """, Uploads.class, Feed.class, RegistersFeed2ByHand.class);
        assertThat(report).contains("Property 'sluice.pipes.orders.consumer' names a consumer that already has a "
                + "producer").contains("remove pipe 'orders'");
    }

    @Test
    void aPipeNamingAMissingBeanNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    orders: { producer: nothing, consumer: uploads }
                """, Uploads.class);
        assertThat(report).contains("Property 'sluice.pipes.orders.producer' names no bean (value: nothing)")
            .contains("Define a bean named 'nothing'");
    }

    @Test
    void aPipeNamingABeanOfTheWrongTypeNamesTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  pipes:
                    orders: { producer: feed, consumer: feed2 }
                """, Feed.class);
        assertThat(report).contains("Property 'sluice.pipes.orders.consumer' names a bean of type")
            .contains("which is not a Consumer");
    }

    /**
     * Starts an application with {@code yaml} as its only configuration file, Sluice's auto-configuration and the given
     * beans, expects start-up to fail, and returns the failure report that Spring Boot printed.
     */
    private String startupFailure(CapturedOutput output, String yaml, Class<?>... beans) {
        Class<?>[] sources = new Class<?>[beans.length + 1];
        sources[0] = SluiceOnly.class;
        System.arraycopy(beans, 0, sources, 1, beans.length);
        return StartupReports.startupFailure(output, this.dir, yaml, sources);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SluiceAutoConfiguration.class)
    static class SluiceOnly {
    }

    @Configuration(proxyBeanMethods = false)
    static class Uploads {

        @Bean
        BufferedConsumer<ByteBuffer> uploads(BufferedConsumerFactory consumers) {
            return consumers.builder("uploads", RecordingSink.<ByteBuffer>accepting(), Weigher.bytes()).build();
        }

        @Bean
        BufferedConsumer<ByteBuffer> other(BufferedConsumerFactory consumers) {
            return consumers.builder("other", RecordingSink.<ByteBuffer>accepting(), Weigher.bytes()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Orders {

        @Bean
        BufferedConsumer<Object> orders(BufferedConsumerFactory consumers) {
            return consumers.builder("orders", RecordingSink.accepting(), Weigher.items()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HandBuiltSink {

        @Bean
        BufferedConsumer<ByteBuffer> sink() {
            return BufferedConsumer.builder(RecordingSink.<ByteBuffer>accepting()).name("sink")
                .weigher(Weigher.bytes()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MisnamedConsumer {

        @Bean
        BufferedConsumer<ByteBuffer> uploads(BufferedConsumerFactory consumers) {
            return consumers.builder("upload", RecordingSink.<ByteBuffer>accepting(), Weigher.bytes()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Feed {

        @Bean
        StrictPushProducer feed() {
            return new StrictPushProducer();
        }

        @Bean
        StrictPushProducer feed2() {
            return new StrictPushProducer();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RegistersFeed2ByHand {

        @Bean
        String handRegistration(BufferedConsumer<ByteBuffer> other, StrictPushProducer feed2) {
            other.registerProducer(feed2, true);
            return "feed2 -> other";
        }
    }
}
