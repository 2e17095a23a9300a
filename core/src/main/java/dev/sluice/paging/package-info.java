/**
 * Paging after Twisted's {@code twisted.spread.util}: {@link dev.sluice.paging.Pager}s send data page by page to a
 * {@link dev.sluice.paging.PageCollector}, each page when the {@link dev.sluice.paging.PageBroker}'s transport is ready
 * for more. The collector here is local (Twisted's is remote, over Perspective Broker).
 */
@NullMarked
package dev.sluice.paging;

import org.jspecify.annotations.NullMarked;
