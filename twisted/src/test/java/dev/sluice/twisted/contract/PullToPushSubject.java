package dev.sluice.twisted.contract;

import java.nio.ByteBuffer;

import dev.sluice.Consumer;
import dev.sluice.testing.contract.ContractSubject;
import dev.sluice.testing.contract.ForwardingSubject;
import dev.sluice.twisted.task.Cooperator;
import dev.sluice.twisted.task.PullToPush;

/**
 * The consumer of {@link PullToPush#consumer}: it passes push producers through to the consumer it decorates and
 * streams pull producers on a cooperator of its own. Everything but the consumer is the decorated subject's.
 */
final class PullToPushSubject extends ForwardingSubject {

    private final Cooperator cooperator = Cooperator.create();

    private final Consumer<ByteBuffer> consumer;

    PullToPushSubject(ContractSubject decorated) {
        super(decorated);
        this.consumer = PullToPush.consumer(decorated.consumer(), this.cooperator);
    }

    @Override
    public Consumer<ByteBuffer> consumer() {
        return this.consumer;
    }

    @Override
    public void close() {
        try {
            super.close();
        }
        finally {
            this.cooperator.close();
        }
    }
}
