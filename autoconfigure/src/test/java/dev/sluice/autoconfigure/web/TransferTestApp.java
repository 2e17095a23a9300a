package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferView;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.servlet.SluiceBody;
import dev.sluice.twisted.web2.MemoryStream;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** A minimal web app whose controllers return {@link SluiceBody}: files of one directory, and generated streams. */
@SpringBootApplication
class TransferTestApp {

    /** The files served, made by the tests. */
    static final Path DIR = Path.of("target", "sluice-body-files").toAbsolutePath();

    /** The bytes of every test file: position {@code i} holds a value that depends on {@code i}, not periodic. */
    static byte at(long position) {
        return (byte) ((position * 31) ^ (position >>> 8) ^ (position >>> 16));
    }

    /** Writes a test file of {@code size} bytes. */
    static Path file(String name, long size) {
        try {
            Files.createDirectories(DIR);
            byte[] content = new byte[Math.toIntExact(size)];
            for (int i = 0; i < content.length; i++) {
                content[i] = at(i);
            }
            return Files.write(DIR.resolve(name), content);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Makes a file in {@link #DIR} that this process cannot read, and returns its name. As root, permission bits do
     * not stop a read, so the file is a link to a write-only sysfs attribute, which refuses every open for reading.
     */
    static String unreadable() {
        String name = "unreadable.bin";
        Path link = DIR.resolve(name);
        try {
            Files.createDirectories(DIR);
            Files.deleteIfExists(link);
            file(name, 100);
            Files.setPosixFilePermissions(link, java.util.Set.of());
            if (!canOpen(link)) {
                return name;
            }
            Files.delete(link); // root reads it all the same
            for (String candidate : new String[] { "/sys/bus/pci/rescan", "/sys/bus/pci/drivers_probe",
                    "/sys/kernel/slab/kmalloc-8/validate", "/sys/module/kernel/uevent" }) {
                Path target = Path.of(candidate);
                if (Files.isRegularFile(target) && !canOpen(target)) {
                    Files.createSymbolicLink(link, target);
                    return name;
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        throw new IllegalStateException("Found no file that root cannot read (a write-only sysfs attribute)");
    }

    private static boolean canOpen(Path file) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            return channel.isOpen();
        }
        catch (IOException ex) {
            return false;
        }
    }

    @RestController
    static class Controller {

        private final String group;

        /** The group's consumers are made per request: its settings name is declared, as the factory asks. */
        Controller(@Value("${test.group:files}") String group, BufferedConsumerFactory consumers) {
            this.group = consumers.declare(group);
        }

        private final Executor failer = task -> {
            Thread thread = new Thread(task, "failing-producer");
            thread.setDaemon(true);
            thread.start();
        };

        /** A file, by the container's sendfile where it offers it. */
        @GetMapping("/files/{name}")
        SluiceBody file(@PathVariable String name) {
            return SluiceBody.file(DIR.resolve(name)).group(this.group);
        }

        /** A file on the non-blocking path, whose consumer buffers and pauses. */
        @GetMapping("/buffered/{name}")
        SluiceBody buffered(@PathVariable String name) {
            return SluiceBody.file(DIR.resolve(name)).zeroCopy(false).group(this.group);
        }

        /** A generated body of known length from a byte stream. */
        @GetMapping("/stream/{size}")
        SluiceBody stream(@PathVariable int size) {
            ByteBuffer content = ByteBuffer.allocate(size);
            for (int i = 0; i < size; i++) {
                content.put(at(i));
            }
            return SluiceBody.stream(new MemoryStream(content.flip())).contentType("application/x-test").group("streams");
        }

        /**
         * A producer body of unknown length (chunked) that writes 64 KiB, more than the container buffers, and fails
         * once they have passed to the container, so that the response is committed when it fails.
         */
        @GetMapping("/failing")
        SluiceBody failing() {
            return SluiceBody.producer(consumer -> {
                BufferView view = (BufferView) consumer;
                byte[] data = new byte[64 * 1024];
                for (int i = 0; i < data.length; i++) {
                    data[i] = at(i);
                }
                consumer.write(ByteBuffer.wrap(data));
                return CompletableFuture.runAsync(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (view.sentUnits() < data.length && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    throw new CompletionException(new IOException("the source broke"));
                }, this.failer);
            }).group("streams");
        }
    }
}
