/**
 * Internals of the Twisted-shaped ports; not API. {@link dev.sluice.twisted.internal.SerialLane} carries the calls of
 * the pcp proxies, the page broker and {@code PullToPush} one at a time on core's signal-lane ownership.
 */
@NullMarked
package dev.sluice.twisted.internal;

import org.jspecify.annotations.NullMarked;
