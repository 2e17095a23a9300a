package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingPushProducer;
import jakarta.servlet.ServletOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ServletOutputConsumerTest {

    private final FakeOutput output = new FakeOutput();

    private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/file");

    private final MockHttpServletResponse response = new MockHttpServletResponse() {
        @Override
        public ServletOutputStream getOutputStream() {
            return ServletOutputConsumerTest.this.output;
        }
    };

    private final RecordingPushProducer producer = new RecordingPushProducer();

    private ServletOutputConsumer out;

    @BeforeEach
    void start() throws IOException {
        this.request.setAsyncSupported(true);
        this.out = ServletOutputConsumer.on(this.request, this.response)
            .maxWrite(1000)
            .start(sink -> BufferedConsumer.builder(sink)
                .name("test")
                .weigher(Weigher.bytes())
                .waterMarks(new WaterMarks(4000, 1000))
                .build());
        this.out.consumer().registerProducer(this.producer, true);
    }

    /**
     * A container that keeps the array of a write until it is ready again (Jetty) gets its bytes intact: the chunk
     * goes back to the pool only once {@code isReady()} has been true after the write.
     */
    @Test
    void aChunkGoesBackToThePoolOnlyWhenTheContainerIsDoneWithIt() throws IOException {
        FakeOutput retaining = new FakeOutput();
        retaining.retains = true;
        MockHttpServletRequest jettyRequest = new MockHttpServletRequest("GET", "/file");
        jettyRequest.setAsyncSupported(true);
        MockHttpServletResponse jettyResponse = new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                return retaining;
            }
        };
        ChunkPool pool = new ChunkPool(1, 1000);
        ServletOutputConsumer recycling = ServletOutputConsumer.on(jettyRequest, jettyResponse)
            .maxWrite(1000)
            .recycleTo(pool)
            .start("recycling");
        retaining.open(10_000);

        ByteBuffer first = pool.take(1000);
        first.put(bytes(0, 1000)).flip();
        recycling.consumer().write(first);
        ByteBuffer second = pool.take(1000);
        assertThat(second).as("the container still holds the first chunk").isNotSameAs(first);
        second.put(bytes(1000, 1000)).flip();
        recycling.consumer().write(second);

        assertThat(retaining.isReady()).isTrue();
        assertThat(retaining.bytes()).isEqualTo(bytes(0, 2000).array());
        assertThat(pool.take(1000)).as("given back once the container was ready again").isSameAs(first);
    }

    @Test
    void startPutsTheRequestInAsyncModeAndListensToTheOutput() {
        assertThat(this.request.isAsyncStarted()).isTrue();
        assertThat(this.output.listener()).isNotNull();
    }

    @Test
    void writesNothingBeforeTheFirstOnWritePossible() throws IOException {
        this.out.consumer().write(bytes(0, 500));
        assertThat(this.output.bytes()).isEmpty();
        assertThat(this.out.consumer().bufferedUnits()).isEqualTo(500);

        this.output.open(10_000);
        assertThat(this.output.bytes()).isEqualTo(bytes(0, 500).array());
        assertThat(this.out.consumer().bufferedUnits()).isZero();
    }

    @Test
    void aSlowClientPausesTheProducerAndResumesItWhenItReads() throws IOException {
        this.output.open(1500);
        for (int i = 0; i < 8; i++) {
            this.out.consumer().write(bytes(i * 1000, 1000));
        }
        // 2000 bytes passed (the container buffered the second write), 6000 buffered: above 4000
        assertThat(this.output.bytes()).hasSize(2000);
        assertThat(this.out.consumer().bufferedUnits()).isEqualTo(6000);
        assertThat(this.producer.events()).containsExactly("pause");

        this.output.grant(2000); // the client read what was sent: 1500 more may go
        assertThat(this.out.consumer().bufferedUnits()).isEqualTo(4000);
        assertThat(this.producer.events()).containsExactly("pause");

        this.output.grant(10_000);
        assertThat(this.out.consumer().bufferedUnits()).isZero();
        assertThat(this.producer.events()).containsExactly("pause", "resume");
        ByteBuffer all = bytes(0, 8000);
        assertThat(this.output.bytes()).isEqualTo(all.array());
    }

    @Test
    void splitsLargeBuffersAndCopiesThoseWithoutAnArray() throws IOException {
        this.output.open(100_000);
        ByteBuffer direct = ByteBuffer.allocateDirect(2500);
        direct.put(bytes(0, 2500)).flip();
        this.out.consumer().write(direct);
        this.out.consumer().write(bytes(2500, 2500).asReadOnlyBuffer());
        assertThat(this.output.writes).isEqualTo(6);
        assertThat(this.output.bytes()).isEqualTo(bytes(0, 5000).array());
    }

    @Test
    void aCleanEndCompletesTheRequestOnceTheOutputIsFlushed() throws IOException {
        this.output.open(500);
        this.out.consumer().write(bytes(0, 500));
        this.out.consumer().write(bytes(500, 500)); // buffered: the output is not ready
        this.out.consumer().unregisterProducer();
        this.out.finish(null);
        assertThat(this.out.isCompleted()).isFalse();
        assertThat(this.request.isAsyncStarted()).isTrue();

        this.output.grant(400); // takes the rest, beyond what it can pass on: not ready again
        assertThat(this.output.bytes()).isEqualTo(bytes(0, 1000).array());
        assertThat(this.out.consumer().whenClosed()).isCompleted();
        assertThat(this.out.isCompleted()).isFalse();

        this.output.grant(1000);
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.request.isAsyncStarted()).isFalse();
        assertThat(this.producer.events()).isEmpty();
    }

    @Test
    void aFailedWriteStopsTheProducerAndCompletesTheRequest() throws IOException {
        this.output.open(100);
        this.output.failure = new IOException("Broken pipe");
        this.out.consumer().write(bytes(0, 50));
        assertThat(this.producer.events()).containsExactly("stop");
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.request.isAsyncStarted()).isFalse();
        assertThat(this.out.consumer().whenClosed()).isCompletedExceptionally();
    }

    @Test
    void onErrorStopsTheProducerAndCompletesTheRequest() throws IOException {
        this.output.open(100);
        this.out.consumer().write(bytes(0, 500));
        this.out.consumer().write(bytes(500, 300)); // buffered
        this.output.listener().onError(new IOException("Connection reset"));
        assertThat(this.producer.events()).containsExactly("stop");
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.out.isClientGone()).isTrue();
        // what was buffered for the client is counted by the sink, not logged as lost by the consumer
        assertThat(this.out.undeliveredBytes()).isEqualTo(300);
        assertThat(this.out.consumer().droppedUnits()).isZero();
        assertThat(this.output.bytes()).hasSize(500);
    }

    @Test
    void anAbortTruncatesTheResponseAtOnce() throws IOException {
        this.output.open(100);
        this.out.consumer().write(bytes(0, 500));
        this.out.consumer().write(bytes(500, 500)); // buffered
        this.out.finish(new IllegalStateException("stopped by an operator"));
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.output.bytes()).hasSize(500);
        assertThat(this.producer.events()).containsExactly("stop");
        this.output.grant(10_000);
        assertThat(this.output.bytes()).hasSize(500);
    }

    @Test
    void anAbortAfterCommitClosesTheConnectionThroughTheRequestsCloser() throws IOException {
        java.util.List<Throwable> closed = new java.util.ArrayList<>();
        this.request.setAttribute(ConnectionCloser.ATTRIBUTE, (ConnectionCloser) closed::add);
        this.response.setCommitted(true);
        this.output.open(100);
        this.out.consumer().write(bytes(0, 500));
        IllegalStateException failure = new IllegalStateException("the file changed");
        this.out.finish(failure);
        assertThat(closed).containsExactly(failure);
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.response.getStatus()).isEqualTo(200);
    }

    @Test
    void anAbortBeforeCommitIsAnEmpty500AndKeepsTheConnection() throws IOException {
        java.util.List<Throwable> closed = new java.util.ArrayList<>();
        this.request.setAttribute(ConnectionCloser.ATTRIBUTE, (ConnectionCloser) closed::add);
        this.response.setContentLengthLong(1000);
        this.out.consumer().write(bytes(0, 500)); // buffered: the container has not called onWritePossible
        this.out.finish(new IllegalStateException("the source broke"));
        assertThat(closed).isEmpty();
        assertThat(this.response.getStatus()).isEqualTo(500);
        assertThat(this.response.getContentLengthLong()).isZero();
        assertThat(this.out.isCompleted()).isTrue();
        assertThat(this.output.bytes()).isEmpty();
        assertThat(this.out.undeliveredBytes()).isEqualTo(500);
    }

    /**
     * A client whose writes the container gets out within {@link ServletOutputConsumer#QUICK_CYCLE_NANOS} is advised
     * reads of the write size; after a slow cycle, or before any write, no advice.
     */
    @Test
    void onlyAClientThatTakesEachWriteQuicklyIsAdvisedReadsOfTheWriteSize() throws IOException {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        FakeOutput timedOutput = new FakeOutput();
        MockHttpServletRequest timedRequest = new MockHttpServletRequest("GET", "/file");
        timedRequest.setAsyncSupported(true);
        ServletOutputConsumer timed = ServletOutputConsumer.on(timedRequest, new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                return timedOutput;
            }
        }).maxWrite(1000).clock(now::get).start("timed");
        assertThat(timed.readSizeHint()).as("nothing written yet").isZero();

        timedOutput.open(500);
        timed.consumer().write(bytes(0, 1000)); // the container took it
        timed.consumer().write(bytes(1000, 1000)); // and is not ready for this one
        now.addAndGet(ServletOutputConsumer.QUICK_CYCLE_NANOS / 10);
        timedOutput.grant(10_000);
        assertThat(timed.readSizeHint()).as("a quick cycle").isEqualTo(1000);

        timed.consumer().write(bytes(2000, 10_000)); // not ready again after 9 writes
        now.addAndGet(ServletOutputConsumer.QUICK_CYCLE_NANOS * 5);
        timedOutput.grant(10_000);
        assertThat(timed.readSizeHint()).as("a slow cycle").isZero();
        assertThat(timedOutput.bytes()).isEqualTo(bytes(0, 12_000).array());
    }

    @Test
    void aFactoryThatThrowsStartsNothing() {
        MockHttpServletRequest other = new MockHttpServletRequest();
        other.setAsyncSupported(true);
        assertThatIllegalStateException().isThrownBy(() -> ServletOutputConsumer.on(other, new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                throw new IllegalStateException("getWriter() was called");
            }
        }).start("other"));
        assertThat(other.isAsyncStarted()).isFalse();
    }

    private static ByteBuffer bytes(int from, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) ((from + i) * 31);
        }
        return ByteBuffer.wrap(data);
    }
}
