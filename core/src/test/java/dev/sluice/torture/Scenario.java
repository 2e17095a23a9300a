package dev.sluice.torture;

import java.util.SplittableRandom;

/**
 * What one round of the torture run does: how many writer threads, how the consumer drains, how the sink behaves,
 * which producers come and go, how many operators hold the producer, which fault strikes from another thread in the
 * middle, and how the round ends. Drawn at random from a seed, so a failing round can be replayed from the seed
 * printed with it.
 */
record Scenario(long seed, int writers, DrainMode drain, CheckingSink.Behaviour sink, long sinkThrowsAtOffer,
        boolean sinkTakesPartBeforeThrowing, boolean sinkCloseThrows, boolean sinkAbortThrows, Producers producers,
        int holders, Fault fault, Ending ending, long high, long low, long operations) {

    /** Where the drain loop runs. */
    enum DrainMode {
        /** On the thread that finds it idle (the default). */
        INLINE,
        /** {@code drainOn} a single-thread executor. */
        SINGLE_THREAD,
        /** {@code drainOn} a pool of three threads. */
        POOL,
        /** {@code drainOn} a single-thread executor that throws an IllegalStateException once, at a chosen call. */
        THROWING
    }

    /** Which producers take part. */
    enum Producers {
        /** One push producer, registered for the whole round. */
        ONE_PUSH,
        /** Push producers registered and unregistered by a churn thread. */
        PUSH_CHURN,
        /** Pull producers that write a few chunks and unregister themselves; a churn thread registers new ones. */
        PULL_CHURN,
        /** Both. */
        MIXED_CHURN
    }

    /** What strikes from another thread in the middle of the round. */
    enum Fault {
        NONE, CONNECTION_LOST, ABORT, LOSE_CONNECTION
    }

    /** How the round ends, after its quiet point. */
    enum Ending {
        LOSE_CONNECTION, CONNECTION_LOST, ABORT
    }

    private static final int[] WRITER_COUNTS = {1, 1, 2, 2, 3, 4, 4, 8, 16, 16};

    private static final long[] HIGH_MARKS = {0, 16, 64, 256, 4096};

    static Scenario random(long seed, long operations) {
        SplittableRandom random = new SplittableRandom(seed);
        int writers = WRITER_COUNTS[random.nextInt(WRITER_COUNTS.length)];
        DrainMode drain = pick(random, DrainMode.values(), 4, 3, 2, 1);
        CheckingSink.Behaviour sink = pick(random, CheckingSink.Behaviour.values(), 2, 2, 2, 3);
        boolean sinkThrows = random.nextInt(8) == 0;
        long throwsAt = sinkThrows ? 1 + random.nextInt((int) Math.min(operations, 20_000)) : -1;
        Producers producers = pick(random, Producers.values(), 3, 3, 1, 2);
        int holders = random.nextInt(3) == 0 ? 0 : random.nextInt(4) == 0 ? 3 : 1 + random.nextInt(2);
        Fault fault = pick(random, Fault.values(), 5, 2, 2, 1);
        Ending ending = pick(random, Ending.values(), 2, 1, 1);
        long high = HIGH_MARKS[random.nextInt(HIGH_MARKS.length)];
        long low = random.nextBoolean() ? high / 2 : 0;
        return new Scenario(seed, writers, drain, sink, throwsAt, random.nextBoolean(), random.nextInt(5) == 0,
                random.nextInt(5) == 0, producers, holders, fault, ending, high, low, operations);
    }

    private static <E> E pick(SplittableRandom random, E[] values, int... weights) {
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        int dice = random.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            dice -= weights[i];
            if (dice < 0) {
                return values[i];
            }
        }
        throw new AssertionError("weights do not cover the values");
    }

    /**
     * The buffer's bound for producers that honour write's answer: high plus one item per writing thread (§4.5). Pull
     * producers do not honour it: each is asked for one chunk per complete drain and one at registration (FD-3), so
     * with pull churn a registration can add its first chunk before the previous producer's last one has drained; those
     * rounds allow three pull chunks (seen: two at once, once in 6 * 10^7 operations).
     */
    long bound() {
        long pullChunks = switch (this.producers) {
            case ONE_PUSH, PUSH_CHURN -> 0;
            case PULL_CHURN, MIXED_CHURN -> 3;
        };
        return this.high + (this.writers + pullChunks) * Tagged.MAX_SIZE;
    }
}
