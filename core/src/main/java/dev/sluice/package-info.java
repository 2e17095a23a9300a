/**
 * Producer/consumer flow control after Twisted: the {@link dev.sluice.Consumer}, {@link dev.sluice.PushProducer} and
 * {@link dev.sluice.PullProducer} contracts, and the consumers that keep them.
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
