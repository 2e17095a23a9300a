package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jspecify.annotations.Nullable;

/**
 * An unbounded lock-free queue for many producer threads and one consumer thread at a time (Vyukov's MPSC node
 * queue). {@link #offer} is wait-free: one atomic exchange and one release store. {@link #peek} and {@link #poll}
 * must be called by one thread at a time, with a happens-before edge between successive consumers (a drain loop's
 * work-in-progress counter gives it).
 *
 * <p>An element offered by a thread that has swapped the tail but not yet linked its node is not visible to the
 * consumer yet; callers that signal the consumer after {@code offer} returns never miss it.
 *
 * @param <E> the element type
 */
public final class MpscLinkedQueue<E> {

    private static final VarHandle TAIL;

    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(MpscLinkedQueue.class, "tail", Node.class);
            NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** The last node; producers swap it. */
    @SuppressWarnings("unused")
    private volatile Node<E> tail;

    /** The consumer's stub: the node before the first element. */
    private Node<E> head;

    public MpscLinkedQueue() {
        Node<E> stub = new Node<>(null, 0);
        this.head = stub;
        this.tail = stub;
    }

    /** Adds {@code element} at the tail, with weight 0. Any thread. */
    public void offer(E element) {
        offer(element, 0);
    }

    /**
     * Appends {@code element} with a weight kept beside it, so the consumer reads it back instead of weighing again.
     *
     * @param element the element
     * @param weight its weight
     */
    @SuppressWarnings("unchecked")
    public void offer(E element, long weight) {
        Node<E> node = new Node<>(element, weight);
        Node<E> previous = (Node<E>) TAIL.getAndSet(this, node);
        NEXT.setRelease(previous, node);
    }

    /** Returns the first element without removing it, or {@code null}. Consumer thread only. */
    @SuppressWarnings("unchecked")
    public @Nullable E peek() {
        Node<E> next = (Node<E>) NEXT.getAcquire(this.head);
        return (next != null) ? next.value : null;
    }

    /**
     * The weight given with the element {@link #peek()} returns; consumer thread only, and only after a {@code peek}
     * that returned an element.
     */
    @SuppressWarnings("unchecked")
    public long peekWeight() {
        Node<E> next = (Node<E>) NEXT.getAcquire(this.head);
        return (next != null) ? next.weight : 0;
    }

    /** Removes and returns the first element, or {@code null}. Consumer thread only. */
    @SuppressWarnings("unchecked")
    public @Nullable E poll() {
        Node<E> next = (Node<E>) NEXT.getAcquire(this.head);
        if (next == null) {
            return null;
        }
        E value = next.value;
        next.value = null;
        this.head = next;
        return value;
    }

    private static final class Node<E> {

        @Nullable E value;

        @SuppressWarnings("unused")
        volatile @Nullable Node<E> next;

        final long weight;

        Node(@Nullable E value, long weight) {
            this.value = value;
            this.weight = weight;
        }
    }
}
