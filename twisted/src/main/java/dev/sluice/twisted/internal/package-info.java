/**
 * Internals of the Twisted-shaped ports; not API. {@link dev.sluice.twisted.internal.SerialLane} carries the calls of
 * the pcp proxies, the page broker and {@code PullToPush} one at a time, owned through a work-in-progress counter as a
 * consumer's owner loop is.
 */
@NullMarked
package dev.sluice.twisted.internal;

import org.jspecify.annotations.NullMarked;
