package dev.sluice;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §4 rule 3: a producer that writes from inside {@code resumeProducing}, with the consumer draining inline on
 * the same thread, does not grow the stack per chunk.
 */
class NoRecursionTest {

    private static final int CHUNKS = 10_000_000;

    @Test
    void synchronousPullProducerWithInlineDrainDeliversTenMillionChunksOnAFlatStack() {
        long[] received = new long[1];
        long[] sum = new long[1];
        Sink<Integer> counting = item -> {
            received[0]++;
            sum[0] += item;
            return true;
        };
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(counting).weigher(Weigher.items()).build();
        List<Integer> stackDepths = new ArrayList<>();
        PullProducer producer = new PullProducer() {
            private int next;

            @Override
            public void resumeProducing() {
                if (this.next % 1_000_000 == 0) {
                    stackDepths.add(new Throwable().getStackTrace().length);
                }
                if (this.next == CHUNKS) {
                    consumer.unregisterProducer();
                    return;
                }
                consumer.write(this.next++);
            }

            @Override
            public void stopProducing() {
            }
        };

        consumer.registerProducer(producer, false);

        assertThat(received[0]).isEqualTo(CHUNKS);
        assertThat(sum[0]).isEqualTo((long) CHUNKS * (CHUNKS - 1) / 2);
        assertThat(consumer.producer()).isNull();
        assertThat(stackDepths).hasSize(11).allSatisfy(depth -> assertThat(depth).isEqualTo(stackDepths.get(0)));
    }

    @Test
    void synchronousPushProducerWritingUntilPausedInsideResumeStaysFlat() {
        int[] credit = new int[1];
        long[] received = new long[1];
        Sink<Integer> limited = item -> {
            if (credit[0] == 0) {
                return false;
            }
            credit[0]--;
            received[0]++;
            return true;
        };
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(limited).weigher(Weigher.items())
            .waterMarks(new WaterMarks(64, 0)).build();
        List<Integer> stackDepths = new ArrayList<>();
        int total = 1_000_000;
        PushProducer producer = new PushProducer() {
            private boolean paused;

            private int next;

            @Override
            public void pauseProducing() {
                this.paused = true;
            }

            @Override
            public void resumeProducing() {
                this.paused = false;
                if (stackDepths.size() < 1000) {
                    stackDepths.add(new Throwable().getStackTrace().length);
                }
                while (!this.paused && this.next < total) {
                    consumer.write(this.next++);
                }
            }

            @Override
            public void stopProducing() {
            }
        };
        consumer.registerProducer(producer, true);
        producer.resumeProducing(); // starts itself, as a push producer does

        while (received[0] < total) {
            credit[0] = 1_000;
            consumer.drain();
        }

        assertThat(received[0]).isEqualTo(total);
        assertThat(stackDepths).hasSizeGreaterThan(100);
        // every resume after the first comes from the drain loop at the same depth, however many came before
        assertThat(stackDepths.subList(1, stackDepths.size())).containsOnly(stackDepths.get(1));
    }
}
