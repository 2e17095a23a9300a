package dev.sluice.testing.contract;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A subject whose consumer sits in front of another subject's (a proxy, a decorator): everything but
 * {@link #consumer()} is the other subject's until overridden.
 */
public abstract class ForwardingSubject implements ContractSubject {

    private final ContractSubject behind;

    /** @param behind the subject whose consumer this one writes into */
    protected ForwardingSubject(ContractSubject behind) {
        this.behind = behind;
    }

    /** The subject behind this one. */
    protected final ContractSubject behind() {
        return this.behind;
    }

    @Override
    public void grant(long bytes) {
        this.behind.grant(bytes);
    }

    @Override
    public byte[] delivered() {
        return this.behind.delivered();
    }

    @Override
    public long deliveredBytes() {
        return this.behind.deliveredBytes();
    }

    @Override
    public void finish() {
        this.behind.finish();
    }

    @Override
    public void abort() {
        this.behind.abort();
    }

    @Override
    public OptionalLong highWaterMark() {
        return this.behind.highWaterMark();
    }

    @Override
    public long bufferedUnits() {
        return this.behind.bufferedUnits();
    }

    @Override
    public Optional<Holds> holds() {
        return this.behind.holds();
    }

    @Override
    public Optional<Stall> stall() {
        return this.behind.stall();
    }

    @Override
    public void close() {
        this.behind.close();
    }
}
