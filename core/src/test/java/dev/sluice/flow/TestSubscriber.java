package dev.sluice.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/** A subscriber that records what it receives and requests only when the test says so. */
class TestSubscriber<T> implements Flow.Subscriber<T> {

    private volatile Flow.Subscription subscription;

    private final List<T> items = new ArrayList<>();

    private volatile Throwable error;

    private volatile boolean completed;

    private int subscriptions;

    @Override
    public synchronized void onSubscribe(Flow.Subscription subscription) {
        this.subscriptions++;
        this.subscription = subscription;
    }

    @Override
    public synchronized void onNext(T item) {
        this.items.add(item);
    }

    @Override
    public void onError(Throwable failure) {
        this.error = failure;
    }

    @Override
    public void onComplete() {
        this.completed = true;
    }

    void request(long n) {
        this.subscription.request(n);
    }

    void cancel() {
        this.subscription.cancel();
    }

    synchronized List<T> items() {
        return List.copyOf(this.items);
    }

    synchronized int subscriptions() {
        return this.subscriptions;
    }

    Throwable error() {
        return this.error;
    }

    boolean isCompleted() {
        return this.completed;
    }

    boolean isTerminated() {
        return this.completed || this.error != null;
    }
}
