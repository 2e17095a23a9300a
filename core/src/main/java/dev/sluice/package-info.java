/**
 * Producer/consumer flow control after Twisted: the {@link dev.sluice.Consumer}, {@link dev.sluice.PushProducer} and
 * {@link dev.sluice.PullProducer} contracts, the consumers that keep them, and
 * {@link dev.sluice.FlowControlledProducer}, the producer side: a source's pause/resume/close made into a push producer
 * whose {@code write} honours {@code false}.
 *
 * <p>The threading contract every consumer keeps is in {@link dev.sluice.Consumer} and, with its reasons, in
 * {@code docs/threading.md}. Rule ids cited in javadoc (FD-8, PP-4, …) are Twisted's behaviours, one line each in
 * {@code docs/twisted-rules.md}.
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
