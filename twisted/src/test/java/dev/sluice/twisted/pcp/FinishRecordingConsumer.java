package dev.sluice.twisted.pcp;

import dev.sluice.testing.RecordingConsumer;

/**
 * A {@link RecordingConsumer} that can be finished, as the pcp proxies' consumers can (PCP-B6): {@code finish()} is
 * recorded as the event "finish".
 *
 * @param <T> the data type
 */
final class FinishRecordingConsumer<T> extends RecordingConsumer<T> implements Finishable {

    @Override
    public void finish() {
        record("finish");
    }
}
