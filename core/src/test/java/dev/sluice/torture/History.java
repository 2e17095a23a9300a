package dev.sluice.torture;

/**
 * The last events of one producer, with their time and thread, for the report of a violation: what the producer was
 * told, by whom and when, what its writes answered, which listener events came. A ring of fixed size; appending takes
 * the producer's monitor for a few stores and allocates nothing.
 */
final class History {

    /** What happened. */
    enum Event {
        REGISTER_CALLED, REGISTERED_RETURNED, REGISTER_REFUSED, UNREGISTER_CALLED, WROTE_FALSE, WROTE_TRUE,
        PAUSE, RESUME, STOP, DIRECT_STOP, CALLBACK_THREW, L_REGISTERED, L_UNREGISTERED, L_PAUSED, L_RESUMED,
        L_STOPPED, L_FAILED, WAIT_BEGAN, WAIT_ENDED, WAIT_TIMED_OUT, HOLD_PLACED, HOLD_RELEASING, STOP_ORDERED
    }

    private static final int SIZE = 40;

    private final long[] nanos = new long[SIZE];

    private final Thread[] threads = new Thread[SIZE];

    private final Event[] events = new Event[SIZE];

    private final long[] args = new long[SIZE];

    private long appended;

    private final long origin;

    private final boolean kept;

    History(long origin, boolean kept) {
        this.origin = origin;
        this.kept = kept;
    }

    void add(Event event, long arg) {
        if (this.kept) {
            append(event, arg);
        }
    }

    private synchronized void append(Event event, long arg) {
        int at = (int) (this.appended++ % SIZE);
        this.nanos[at] = System.nanoTime();
        this.threads[at] = Thread.currentThread();
        this.events[at] = event;
        this.args[at] = arg;
    }

    /** The events kept, oldest first, one a line: microseconds since the round began, thread, event, argument. */
    synchronized String render() {
        StringBuilder text = new StringBuilder();
        long first = Math.max(0, this.appended - SIZE);
        if (first > 0) {
            text.append("\n      (").append(first).append(" earlier events not kept)");
        }
        for (long i = first; i < this.appended; i++) {
            int at = (int) (i % SIZE);
            text.append("\n      ").append(String.format("%,12d", (this.nanos[at] - this.origin) / 1000))
                .append(" us  ").append(this.threads[at].getName()).append("  ").append(this.events[at]);
            if (this.args[at] != 0) {
                text.append(" ").append(this.args[at]);
            }
        }
        return text.toString();
    }
}
