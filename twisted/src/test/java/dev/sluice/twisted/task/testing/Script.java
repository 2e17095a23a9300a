package dev.sluice.twisted.task.testing;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * An iterator that runs one scripted step per {@code next()} and returns what the step returns (a value, null, or a
 * {@link java.util.concurrent.CompletionStage} for the task to wait on); counts the steps taken. The Java stand-in for
 * the generators of Twisted's cooperator tests.
 */
public final class Script implements Iterator<Object> {

    private final List<Supplier<?>> steps;

    private int taken;

    private Script(List<Supplier<?>> steps) {
        this.steps = steps;
    }

    /** A script of the given steps. */
    public static Script of(Supplier<?>... steps) {
        return new Script(Arrays.asList(steps));
    }

    /** A script of {@code count} steps that append {@code name + i} (i from 0) to {@code log}. */
    public static Script logging(List<String> log, String name, int count) {
        Supplier<?>[] steps = new Supplier<?>[count];
        for (int i = 0; i < count; i++) {
            String entry = name + i;
            steps[i] = () -> log.add(entry);
        }
        return of(steps);
    }

    /** An endless iterator that appends {@code name} to {@code log} at each step. */
    public static Iterator<Object> forever(List<String> log, String name) {
        return endless(() -> log.add(name));
    }

    /** An endless iterator that runs {@code step} at each step and returns its result. */
    public static Iterator<Object> endless(Supplier<?> step) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Object next() {
                return step.get();
            }
        };
    }

    @Override
    public boolean hasNext() {
        return this.taken < this.steps.size();
    }

    @Override
    public Object next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return this.steps.get(this.taken++).get();
    }

    /** How many steps have run. */
    public int taken() {
        return this.taken;
    }
}
