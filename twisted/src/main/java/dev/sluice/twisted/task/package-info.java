/**
 * Cooperative multitasking after Twisted's {@code twisted.internet.task}: the
 * {@link dev.sluice.twisted.task.Cooperator} runs many {@link dev.sluice.twisted.task.CooperativeTask}s round-robin in
 * time slices, and {@link dev.sluice.twisted.task.PullToPush} uses it to drive a pull producer as a push producer.
 *
 * <p>Part of {@code sluice-twisted}, the Twisted-shaped ports. The rule ids the javadoc cites (CO-2, PP-8 …)
 * are stated one per line in {@code docs/twisted-rules.md} in the repository.
 */
@NullMarked
package dev.sluice.twisted.task;

import org.jspecify.annotations.NullMarked;
