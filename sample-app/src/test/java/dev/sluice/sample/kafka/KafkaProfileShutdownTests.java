package dev.sluice.sample.kafka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sluice.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code kafka} profile as an operator runs it: the app in a process of its own, stopped with SIGTERM while orders
 * flow, must exit promptly, with its pipes drained and committed before the broker stops, and leave no broker folder
 * behind (issue 19: it used to stay alive for good while Kafka's test kit deleted the broker's folder from under it).
 * A run killed with {@code kill -9} cannot clean up; the next run deletes what it left.
 */
class KafkaProfileShutdownTests {

    private static final Pattern SERVER_PORT = Pattern.compile("Tomcat started on port (\\d+)");

    private static final Pattern BROKER_FOLDER = Pattern
        .compile("In-process Kafka broker started on \\S+, in folder (\\S+)");

    @Test
    void sigtermStopsTheAppPromptlyAndDeletesTheBrokerFolder(@TempDir Path work) throws Exception {
        Path log = work.resolve("app.log");
        Process app = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), SampleApplication.class.getName(),
                "--spring.profiles.active=kafka", "--server.port=0", "--sample.files.create=",
                "--sample.files.dir=" + work.resolve("files"), "--sample.kafka.feed-rate=2000",
                "--sample.kafka.api-rate=400", "--spring.main.banner-mode=off"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            await().atMost(Duration.ofSeconds(90))
                .until(() -> !app.isAlive() || SERVER_PORT.matcher(read(log)).find());
            assertThat(app.isAlive()).as("the app started: %s", tail(log)).isTrue();
            Matcher port = SERVER_PORT.matcher(read(log));
            assertThat(port.find()).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest count = HttpRequest.newBuilder(URI.create("http://localhost:" + port.group(1)
                    + "/api/orders/count")).build();
            await().atMost(Duration.ofSeconds(60)).until(() -> Long.parseLong(http.send(count,
                    HttpResponse.BodyHandlers.ofString()).body().trim()) >= 500);
            Matcher folder = BROKER_FOLDER.matcher(read(log));
            assertThat(folder.find()).as("the broker's folder is logged: %s", tail(log)).isTrue();
            Path brokerFolder = Path.of(folder.group(1));
            assertThat(brokerFolder).isDirectory();

            long sigterm = System.nanoTime();
            app.destroy(); // SIGTERM
            assertThat(app.waitFor(45, TimeUnit.SECONDS)).as("exited within 45 s of SIGTERM: %s", tail(log)).isTrue();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);

            String output = read(log);
            String afterStop = output.substring(output.indexOf("Order feed stopped"));
            int brokerStopped = afterStop.indexOf("In-process Kafka broker stopped and its folder deleted");
            assertThat(brokerStopped).as("the broker stopped, in %d ms: %s", tookMillis, afterStop).isPositive();
            for (String pipe : List.of("orders", "orders-2")) {
                int pipeStopped = afterStop.indexOf("Kafka pipe '" + pipe + "' stopped: drained");
                assertThat(pipeStopped).as("pipe %s drained and committed before the broker stopped: %s", pipe,
                        afterStop).isNotNegative().isLessThan(brokerStopped);
            }
            assertThat(afterStop).as("no error while stopping").doesNotContain(" ERROR ");
            assertThat(brokerFolder).doesNotExist();
        }
        finally {
            app.destroyForcibly();
        }
    }

    @Test
    void aBrokerFolderLeftByAKilledRunIsDeletedByTheNextRun(@TempDir Path temp) throws Exception {
        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        Path killed = Files.createDirectories(temp.resolve("kafka-123").resolve("broker_0_data0"));
        Files.writeString(temp.resolve("kafka-123").resolve("sluice-sample.pid"), Long.toString(gone.pid()));
        Path alive = Files.createDirectories(temp.resolve("kafka-456"));
        Files.writeString(alive.resolve("sluice-sample.pid"), Long.toString(ProcessHandle.current().pid()));
        Path someoneElses = Files.createDirectories(temp.resolve("kafka-789"));

        InProcessBroker.deleteFoldersOfKilledRuns(temp);

        assertThat(killed.getParent()).as("the folder of a run that is gone").doesNotExist();
        assertThat(alive).as("the folder of a run still alive").isDirectory();
        assertThat(someoneElses).as("a folder this app did not make").isDirectory();
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String tail(Path log) throws IOException {
        String all = read(log);
        return all.substring(Math.max(0, all.length() - 4000));
    }
}
