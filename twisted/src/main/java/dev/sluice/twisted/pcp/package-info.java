/**
 * Producer/consumer proxies after Twisted's {@code twisted.protocols.pcp}: a man in the middle that is a producer to
 * the consumer below it and a consumer to the producer above it, with an optional bounded buffer, over generic chunks
 * described by {@link dev.sluice.twisted.pcp.ChunkType}.
 */
@NullMarked
package dev.sluice.twisted.pcp;

import org.jspecify.annotations.NullMarked;
