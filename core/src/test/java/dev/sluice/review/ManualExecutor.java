package dev.sluice.review;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor that keeps tasks until the test runs them: deterministic interleavings. */
final class ManualExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
        this.tasks.add(command);
    }

    synchronized int pending() {
        return this.tasks.size();
    }

    /** Runs tasks (and tasks they queue) until none is left. */
    void runAll() {
        for (;;) {
            Runnable next;
            synchronized (this) {
                next = this.tasks.poll();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }
}
