package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.file.FileSender;
import dev.sluice.file.FileTransferStoppedException;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.servlet.ServletOutputConsumer;
import dev.sluice.twisted.task.Cooperator;
import dev.sluice.twisted.task.PullToPush;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends files to HTTP clients with back-pressure.
 *
 * <p>Each download is a {@link FileSender} (a pull producer reading {@code sluice.file.chunk-size} chunks) into a
 * {@link ServletOutputConsumer} (a {@link BufferedConsumer} on the response's non-blocking output, with the water
 * marks of {@code sluice.consumers.downloads.*}). The sender is streamed through {@link PullToPush} on the
 * {@link Cooperator}: a pull producer is never paused, only not asked, so this makes the file read a push producer
 * that the consumer pauses above its high-water mark and resumes at the low one, and the pauses show in the
 * registry and in {@code sluice.producer.paused}. The buffer then never holds more than the high-water mark plus one
 * chunk, whatever the client's speed; the file is read on the cooperator's thread, one chunk per step.
 *
 * <p>While it runs, a download is the producer {@code download:<file>#<slot>} and the consumer
 * {@code response:<file>#<slot>} in the registry (see {@link DownloadSlots} for why slots). Both leave the registry
 * when the response ends. A client that goes away fails the next write (or the container reports it): the consumer
 * loses its connection, which stops the producer, and the sender closes the file. An operator's {@code stop} through
 * {@code /actuator/producers} ends the response short.
 */
public final class Downloads {

    private static final Logger log = LoggerFactory.getLogger(Downloads.class);

    /** The consumer name whose {@code sluice.consumers.<name>.*} water marks every download uses. */
    public static final String CONSUMER_SETTINGS = "downloads";

    private final BufferedConsumerFactory consumers;

    private final ProducerRegistry registry;

    private final Cooperator cooperator;

    private final int chunkSize;

    private final DownloadSlots slots;

    public Downloads(BufferedConsumerFactory consumers, ProducerRegistry registry, Cooperator cooperator, int chunkSize,
            int maxPerFile) {
        this.consumers = consumers;
        this.registry = registry;
        this.cooperator = cooperator;
        this.chunkSize = chunkSize;
        this.slots = new DownloadSlots(maxPerFile);
    }

    /** The registry name of the producer of a download. */
    public static String producerName(String file, int slot) {
        return "download:" + file + "#" + slot;
    }

    /** The registry name of the consumer of a download. */
    public static String consumerName(String file, int slot) {
        return "response:" + file + "#" + slot;
    }

    /** How many downloads run now. */
    public int running() {
        return this.slots.inUse();
    }

    /**
     * Starts sending {@code file} as the response; returns at once, the transfer goes on asynchronously.
     *
     * @return false, with nothing started, when {@code maxPerFile} downloads of this file run already
     */
    boolean send(String name, Path file, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long size = Files.size(file);
        OptionalInt acquired = this.slots.acquire(name);
        if (acquired.isEmpty()) {
            return false;
        }
        int slot = acquired.getAsInt();
        response.setContentType("application/octet-stream");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        response.setContentLengthLong(size);
        ServletOutputConsumer out;
        try {
            out = ServletOutputConsumer.on(request, response)
                .start(sink -> this.consumers.register(this.consumers.builder(CONSUMER_SETTINGS, sink)
                    .name(consumerName(name, slot))
                    .weigher(Weigher.bytes())
                    .build()));
        }
        catch (IOException | RuntimeException ex) {
            this.slots.release(name, slot);
            throw ex;
        }
        BufferedConsumer<ByteBuffer> consumer = out.consumer();
        DownloadNames names = new DownloadNames(this.registry, name, slot, () -> this.slots.release(name, slot));
        consumer.addProducerListener(names);
        consumer.whenClosed().whenComplete((closed, failure) -> {
            log.debug("Download {} of {} ended: {}", slot, name, (failure != null) ? failure.toString() : "complete");
            names.consumerClosed();
        });
        new FileSender(this.chunkSize)
            .beginFileTransfer(file, PullToPush.consumer(consumer, this.cooperator))
            .whenComplete((last, failure) -> {
                if (failure instanceof FileTransferStoppedException) {
                    log.debug("Download {} of {} was stopped", slot, name);
                }
                out.finish(failure);
            });
        return true;
    }

    /**
     * The registry names of one download. Whatever producer registers with the consumer (here the {@link PullToPush}
     * that streams the file) is registered in the registry as {@code download:<file>#<slot>}, so that its pauses are
     * recorded. The names leave the registry, and the slot is freed, only once the consumer has closed <em>and</em>
     * the producer has left it (unregistered at the end of the file, or stopped): the registry then has seen the
     * producer's last state, and a later download of the same slot cannot find its names taken.
     */
    private static final class DownloadNames implements ProducerListener {

        private final ProducerRegistry registry;

        private final String producerName;

        private final String consumerName;

        private final Runnable freeSlot;

        private ProducerRegistry.@Nullable Registration registration;

        private boolean producerLeft;

        private boolean consumerClosed;

        private boolean ended;

        DownloadNames(ProducerRegistry registry, String file, int slot, Runnable freeSlot) {
            this.registry = registry;
            this.producerName = producerName(file, slot);
            this.consumerName = consumerName(file, slot);
            this.freeSlot = freeSlot;
        }

        @Override
        public synchronized void registered(Producer producer, boolean streaming) {
            if (this.registration == null && !this.consumerClosed && !this.producerLeft) {
                this.registration = this.registry.registerProducer(this.producerName, producer);
            }
        }

        @Override
        public void unregistered(Producer producer) {
            producerLeft();
        }

        @Override
        public void stopped(Producer producer) {
            producerLeft();
        }

        private void producerLeft() {
            synchronized (this) {
                this.producerLeft = true;
            }
            endIfDone();
        }

        void consumerClosed() {
            synchronized (this) {
                this.consumerClosed = true;
            }
            endIfDone();
        }

        private void endIfDone() {
            ProducerRegistry.Registration ending;
            synchronized (this) {
                if (this.ended || !this.consumerClosed || (this.registration != null && !this.producerLeft)) {
                    return;
                }
                this.ended = true;
                ending = this.registration;
                this.registration = null;
            }
            if (ending != null) {
                ending.close();
            }
            this.registry.remove(this.consumerName);
            this.freeSlot.run();
        }
    }
}
