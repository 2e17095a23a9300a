/**
 * Paging after Twisted's {@code twisted.spread.util}: {@link dev.sluice.twisted.paging.Pager}s send data page by page
 * to a {@link dev.sluice.twisted.paging.PageCollector}, each page when the
 * {@link dev.sluice.twisted.paging.PageBroker}'s transport is ready for more. The collector here is local (Twisted's
 * is remote, over Perspective Broker).
 *
 * <p>Part of {@code sluice-twisted}, the Twisted-shaped ports. The rule ids the javadoc cites (PG-3, PG-6 …)
 * are stated one per line in {@code docs/twisted-rules.md} in the repository.
 */
@NullMarked
package dev.sluice.twisted.paging;

import org.jspecify.annotations.NullMarked;
