package dev.sluice.readme;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's example, as written: {@link ReadmeExample} and {@code readme/application.yml} are the README's two
 * snippets (checked character for character), started as a web application with a fast event source and an API that
 * takes nothing until it is opened.
 */
class ReadmeExampleTests {

    private static final int EVENT_SIZE = 8 * 1024;

    private static final int EVENTS = 200;

    @Test
    void theReadmeShowsTheExampleSourcesCharacterForCharacter() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(snippet(readme, "java")).isEqualTo(
                Files.readString(Path.of("src/test/java/dev/sluice/readme/ReadmeExample.java")));
        assertThat(snippet(readme, "yaml")).isEqualTo(
                Files.readString(Path.of("src/test/resources/readme/application.yml")));
    }

    /** The fenced block of {@code language} that follows the README's "Example" heading. */
    private static String snippet(String readme, String language) {
        String example = readme.substring(readme.indexOf("\n## Example\n"));
        Matcher block = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(example);
        assertThat(block.find()).as("a ```%s block in the README's Example section", language).isTrue();
        return block.group(1);
    }

    @Test
    void eventsFlowFromTheSourceToTheApiWithTheFeedPausedAtTheHighWaterMark() throws Exception {
        FastSource source = new FastSource();
        GatedApi api = new GatedApi();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ReadmeApplication.class)
            .initializers(ctx -> ctx.getBeanFactory().registerSingleton("source", source))
            .initializers(ctx -> ctx.getBeanFactory().registerSingleton("api", api))
            .run("--spring.config.location=classpath:readme/application.yml", "--server.port=0")) {
            ProducerRegistry registry = context.getBean(ProducerRegistry.class);
            BufferedConsumer<?> uploads = context.getBean("uploads", BufferedConsumer.class);

            // the API takes nothing yet: the feed is paused once 256 KiB are buffered
            await().atMost(Duration.ofSeconds(10)).until(() -> events(registry).pauseCount() == 1);
            assertThat(source.paused).isTrue();
            assertThat(uploads.bufferedUnits()).isBetween(256L * 1024, 256L * 1024 + EVENT_SIZE);

            // the endpoint the README's exposure lines open shows the feed by its bean name
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            HttpResponse<String> producers = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + port + "/actuator/producers")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(producers.statusCode()).isEqualTo(200);
            assertThat(producers.body()).contains("\"name\":\"events\"").contains("\"consumer\":\"uploads\"");

            api.open();
            await().atMost(Duration.ofSeconds(20)).until(() -> api.received.size() == EVENTS);
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < EVENTS; i++) {
            expected.add(i);
        }
        assertThat(api.received).containsExactlyElementsOf(expected);
        assertThat(source.closed).isTrue();
    }

    private static ProducerSnapshot events(ProducerRegistry registry) {
        return registry.producer("events").orElseThrow();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(ReadmeExample.class)
    static class ReadmeApplication {
    }

    /** Writes {@link #EVENTS} numbered events on its own thread, as fast as it is allowed. */
    static final class FastSource implements ReadmeExample.EventSource {

        volatile boolean paused;

        volatile boolean closed;

        @Override
        public void start(java.util.function.Consumer<ByteBuffer> handler) {
            Thread thread = new Thread(() -> {
                for (long i = 0; i < EVENTS && !this.closed; i++) {
                    synchronized (this) {
                        while (this.paused && !this.closed) {
                            waitQuietly();
                        }
                    }
                    ByteBuffer event = ByteBuffer.allocate(EVENT_SIZE);
                    event.putLong(0, i);
                    handler.accept(event);
                }
            }, "readme-source");
            thread.setDaemon(true);
            thread.start();
        }

        private void waitQuietly() {
            try {
                wait();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                this.closed = true;
            }
        }

        @Override
        public synchronized void pause() {
            this.paused = true;
        }

        @Override
        public synchronized void resume() {
            this.paused = false;
            notifyAll();
        }

        @Override
        public synchronized void close() {
            this.closed = true;
            notifyAll();
        }
    }

    /** Takes nothing until opened, then everything; records the number of each whole event it took. */
    static final class GatedApi implements ReadmeExample.UploadApi {

        final List<Long> received = new CopyOnWriteArrayList<>();

        private volatile boolean open;

        private volatile Runnable ready = () -> { };

        @Override
        public boolean offer(ByteBuffer chunk) {
            if (!this.open) {
                return false;
            }
            this.received.add(chunk.getLong(chunk.position()));
            chunk.position(chunk.limit());
            return true;
        }

        @Override
        public void whenReady(Runnable ready) {
            this.ready = ready;
        }

        void open() {
            this.open = true;
            this.ready.run();
        }
    }
}
