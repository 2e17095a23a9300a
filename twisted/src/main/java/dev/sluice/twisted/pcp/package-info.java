/**
 * Producer/consumer proxies after Twisted's {@code twisted.protocols.pcp}: a man in the middle that is a producer to
 * the consumer below it and a consumer to the producer above it, with an optional bounded buffer, over generic chunks
 * described by {@link dev.sluice.twisted.pcp.ChunkType}.
 *
 * <p>Part of {@code sluice-twisted}, the Twisted-shaped ports. The rule ids the javadoc cites (PCP-B3, PCP-3 …)
 * are stated one per line in {@code docs/twisted-rules.md} in the repository.
 */
@NullMarked
package dev.sluice.twisted.pcp;

import org.jspecify.annotations.NullMarked;
