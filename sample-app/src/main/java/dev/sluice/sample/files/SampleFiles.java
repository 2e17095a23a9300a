package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.unit.DataSize;

/**
 * Makes the sample files, so that the app serves something on a fresh machine: {@code 1MiB.bin}, {@code 64MiB.bin},
 * {@code 512MiB.bin} by default.
 *
 * <p>The content is deterministic and fast to write: one 1 MiB block of seeded pseudo-random bytes, repeated, with
 * each copy's first eight bytes replaced by its block number, so that a transfer that skips, repeats or reorders a
 * block does not produce the same bytes. A file is written to a temporary name and moved into place, so a start that
 * is interrupted half-way never leaves a short file behind that looks finished; an existing file of the right size is
 * kept.
 */
public final class SampleFiles {

    private static final Logger log = LoggerFactory.getLogger(SampleFiles.class);

    static final int BLOCK = 1024 * 1024;

    private SampleFiles() {
    }

    /** The file name for a size: {@code 64MiB.bin}, {@code 512KiB.bin}, {@code 100B.bin}. */
    public static String nameFor(DataSize size) {
        long bytes = size.toBytes();
        if (bytes > 0 && bytes % BLOCK == 0) {
            return (bytes / BLOCK) + "MiB.bin";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return (bytes / 1024) + "KiB.bin";
        }
        return bytes + "B.bin";
    }

    /**
     * Makes each file of {@code sizes} in {@code dir} unless it is there already.
     *
     * @param dir the directory, created if missing
     * @param sizes the sizes
     * @throws IOException if a file cannot be written
     */
    public static void ensure(Path dir, Iterable<DataSize> sizes) throws IOException {
        Files.createDirectories(dir);
        for (DataSize size : sizes) {
            Path file = dir.resolve(nameFor(size));
            if (Files.isRegularFile(file) && Files.size(file) == size.toBytes()) {
                continue;
            }
            long start = System.nanoTime();
            write(file, size.toBytes());
            log.info("Created sample file {} ({} bytes) in {} ms", file, size.toBytes(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static void write(Path file, long size) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        byte[] pattern = new byte[BLOCK];
        new SplittableRandom(0x5A1CEL).nextBytes(pattern);
        ByteBuffer block = ByteBuffer.wrap(pattern);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            for (long index = 0; written < size; index++) {
                block.clear();
                block.putLong(0, index);
                block.limit((int) Math.min(BLOCK, size - written));
                while (block.hasRemaining()) {
                    written += channel.write(block);
                }
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
