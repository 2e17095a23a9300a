package dev.sluice.twisted.pcp;

/**
 * A consumer that can be told the data has ended: the {@code finish()} of Twisted's deprecated
 * {@code IFinishableConsumer} (IF-9), which the pcp proxies still pass on (PCP-B6).
 */
public interface Finishable {

    /** No more data will be written. */
    void finish();
}
