package dev.sluice.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
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

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Every bad Sluice configuration fails start-up with Spring Boot's failure report, as a user sees it: an
 * application started from an {@code application.yml}, and the "APPLICATION FAILED TO START" description that names
 * the property, with its origin (file and line) for bad values. Spring Boot names a property that fails validation by
 * its path in the properties object ({@code sluice.buffer.highWaterMark}); the origin shows the key as written.
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
        assertThat(report).contains("Property: sluice.consumers.uploads.highWaterMark").contains("Value: \"0B\"")
            .contains("application.yml] - 4:24").contains("Reason: must be positive");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            buffer.high-water-mark: 0       | sluice.buffer.highWaterMark      | must be positive
            buffer.high-water-items: 0      | sluice.buffer.highWaterItems     | must be positive
            buffer.low-water-mark: -1B      | sluice.buffer.lowWaterMark       | must not be negative
            buffer.low-water-mark: 128KB    | sluice.buffer.lowWaterMark       | must not be above the high-water mark (sluice.buffer.high-water-mark = 65536)
            buffer.low-water-items: 2000    | sluice.buffer.lowWaterItems      | must not be above the high-water mark (sluice.buffer.high-water-items = 1000)
            file.chunk-size: 0              | sluice.file.chunkSize            | must be positive
            cooperator.time-slice: 0ms      | sluice.cooperator.timeSlice      | must be positive
            shutdown.timeout: -1s           | sluice.shutdown.timeout          | must not be negative
            health.stall-threshold: -1s     | sluice.health.stallThreshold     | must not be negative
            metrics.max-names: -1           | sluice.metrics.maxNames          | must not be negative
            pipes.orders.consumer: uploads  | sluice.pipes.orders.producer     | is required
            """)
    void aBadValueNamesItsPropertyAndOrigin(String setting, String property, String reason, CapturedOutput output) {
        String[] path = setting.substring(0, setting.indexOf(':')).split("\\.");
        StringBuilder yaml = new StringBuilder("sluice:\n");
        for (int depth = 0; depth < path.length; depth++) {
            yaml.append("  ".repeat(depth + 1)).append(path[depth]).append(":");
            yaml.append((depth == path.length - 1) ? setting.substring(setting.indexOf(':') + 1) : "").append('\n');
        }
        String report = startupFailure(output, yaml.toString(), Uploads.class);
        assertThat(report).contains("Property: " + property).contains("Reason: " + reason);
        if (!reason.equals("is required")) {
            assertThat(report).contains("application.yml] - " + (path.length + 1) + ":");
        }
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
        assertThat(report).contains("Property: sluice.consumers.uploads.lowWaterMark")
            .contains("application.yml] - 5:23")
            .contains("must not be above the high-water mark (its high-water-mark = 10)");
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
        assertThat(report).contains("Property: sluice.consumers.uploads.highWaterItems")
            .contains("a consumer weighs either bytes");
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
                + "consumer 'orders' weighs items").contains("high-water-items");
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
     * Starts an application with {@code yaml} as its only configuration file and the given beans, expects start-up
     * to fail, and returns the failure report that Spring Boot printed.
     */
    private String startupFailure(CapturedOutput output, String yaml, Class<?>... beans) {
        Path file = this.dir.resolve("application.yml");
        try {
            Files.writeString(file, yaml);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        Class<?>[] sources = new Class<?>[beans.length + 1];
        sources[0] = SluiceOnly.class;
        System.arraycopy(beans, 0, sources, 1, beans.length);
        SpringApplication application = new SpringApplication(sources);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        int before = output.getOut().length();
        assertThatException().isThrownBy(() -> application.run("--spring.config.location=" + file.toUri()));
        String printed = output.getOut().substring(before);
        assertThat(printed).as("Spring Boot's failure report").contains("APPLICATION FAILED TO START");
        return printed.substring(printed.indexOf("APPLICATION FAILED TO START"));
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
