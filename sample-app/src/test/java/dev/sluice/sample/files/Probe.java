package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.servlet.HttpTransfers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the download tests look at in the running app. */
final class Probe {

    private Probe() {
    }

    /** The producer of the one download running now (an instance of the downloads group), if any. */
    static java.util.Optional<ProducerSnapshot> runningDownload(ProducerRegistry registry) {
        return registry.producers().stream()
            .filter(producer -> DownloadController.GROUP.equals(producer.group()))
            .findFirst();
    }

    /** Waits until no download runs, so that the next test sees only its own. */
    static void awaitIdle(HttpTransfers downloads) {
        await().atMost(Duration.ofSeconds(20)).until(() -> downloads.running() == 0);
    }

    static ProducerSnapshot producer(ProducerRegistry registry, String name) {
        return registry.producer(name).orElseThrow(() -> new AssertionError("no producer " + name));
    }

    static ConsumerSnapshot consumer(ProducerRegistry registry, String name) {
        return registry.consumer(name).orElseThrow(() -> new AssertionError("no consumer " + name));
    }

    /**
     * How many of this JVM's open file descriptors point at {@code file}: the open channels on it. Linux's
     * {@code /proc/self/fd}; -1 where there is none.
     */
    static long openDescriptors(Path file) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        Path target = file.toRealPath();
        try (Stream<Path> links = Files.list(fds)) {
            return links.filter(link -> {
                try {
                    return Files.readSymbolicLink(link).equals(target);
                }
                catch (IOException | UnsupportedOperationException gone) {
                    return false; // closed meanwhile, or not a link
                }
            }).count();
        }
    }

    /** Asserts, within seconds, that nothing has {@code file} open. */
    static void awaitClosed(Path file) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDescriptors(file)).isLessThanOrEqualTo(0));
    }
}
