package dev.sluice.sample.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The profile's one-node KRaft cluster, started as soon as it is made (its random port feeds Boot's consumer factory)
 * and stopped in the very last lifecycle phase: after the web server, the feed and the Kafka pipes have stopped, so no
 * client of it is left waiting for it.
 *
 * <p>Kafka's test kit deletes the broker's temporary folder from JVM shutdown hooks of its own, which would run beside
 * Spring's on SIGTERM and pull the folder from under a broker that the pipes are still committing to (and the app then
 * never exits). Those hooks are taken over here: the folder is deleted by {@link #stop()}, once the broker has stopped.
 * A run killed with {@code kill -9} leaves its folder behind, marked with its process id; the next run deletes the
 * folders of processes that are no longer alive.
 */
final class InProcessBroker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InProcessBroker.class);

    /** The file in the broker's folder that names the process the folder belongs to. */
    private static final String OWNER_FILE = "sluice-sample.pid";

    private final EmbeddedKafkaKraftBroker broker;

    private final List<Runnable> folderDeletions = new ArrayList<>();

    private final AtomicBoolean running = new AtomicBoolean(true);

    InProcessBroker(int partitions, String topic) {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        deleteFoldersOfKilledRuns(temp);
        this.broker = new EmbeddedKafkaKraftBroker(1, partitions, topic);
        synchronized (Exit.class) { // the test kit registers its folder deletions while the broker starts
            Exit.setShutdownHookAdder((name, hook) -> this.folderDeletions.add(hook));
            try {
                this.broker.afterPropertiesSet();
            }
            finally {
                Exit.resetShutdownHookAdder();
            }
        }
        Path folder = Path.of(this.broker.getCluster().nodes().baseDirectory());
        markOwner(folder);
        log.info("In-process Kafka broker started on {}, in folder {}", brokers(), folder);
    }

    String brokers() {
        return this.broker.getBrokersAsString();
    }

    @Override
    public void start() {
        // started when made
    }

    @Override
    public void stop() {
        if (this.running.compareAndSet(true, false)) {
            try {
                this.broker.destroy();
            }
            finally {
                this.folderDeletions.forEach(Runnable::run);
            }
            log.info("In-process Kafka broker stopped and its folder deleted");
        }
    }

    @Override
    public boolean isRunning() {
        return this.running.get();
    }

    /** Stops last, after everything that talks to it. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }

    private static void markOwner(Path folder) {
        try {
            Files.writeString(folder.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()),
                    StandardCharsets.US_ASCII);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot mark the broker folder " + folder + " as this run's", ex);
        }
    }

    /** Deletes the broker folders (marked with {@link #OWNER_FILE}) of earlier runs whose process is gone. */
    static void deleteFoldersOfKilledRuns(Path temp) {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(temp, "kafka-*")) {
            for (Path folder : folders) {
                OptionalLong owner = ownerOf(folder);
                if (owner.isPresent() && ProcessHandle.of(owner.getAsLong()).isEmpty()) {
                    Utils.delete(folder.toFile());
                    log.info("Deleted {}, the Kafka broker folder of a sample run (process {}) that was killed",
                            folder, owner.getAsLong());
                }
            }
        }
        catch (IOException ex) {
            log.warn("Could not look for broker folders of killed runs in {}", temp, ex);
        }
    }

    private static OptionalLong ownerOf(Path folder) {
        Path mark = folder.resolve(OWNER_FILE);
        if (!Files.isRegularFile(mark)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(mark, StandardCharsets.US_ASCII).trim()));
        }
        catch (IOException | NumberFormatException ex) {
            return OptionalLong.empty();
        }
    }
}
