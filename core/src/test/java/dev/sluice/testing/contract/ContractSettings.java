package dev.sluice.testing.contract;

import java.time.Duration;

import dev.sluice.WaterMarks;

/**
 * The shape of a contract run, given to {@link ConsumerContract#newSubject(ContractSettings)}: the water marks a
 * consumer should be built with where it takes them, and the size of every chunk written. How long the suite waits for
 * a callback before it calls it lost is {@code -Dsluice.contract.timeoutSeconds} (5 by default).
 *
 * @param marks the water marks, in bytes
 * @param chunkBytes the size of each chunk written
 * @param timeout how long to wait for an answer to {@code false}, or anything else that must come
 */
public record ContractSettings(WaterMarks marks, int chunkBytes, Duration timeout) {

    /** A grant that opens the far end for good. */
    public static final long ALL = Long.MAX_VALUE;

    /** 4 KiB high, 1 KiB low, 256-byte chunks: a bound crossed after 17 writes. */
    public static ContractSettings standard() {
        return new ContractSettings(new WaterMarks(4096, 1024), 256,
                Duration.ofSeconds(Long.getLong("sluice.contract.timeoutSeconds", 5)));
    }
}
