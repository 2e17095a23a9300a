/**
 * Sluice on the Servlet API: {@link dev.sluice.servlet.ServletOutputConsumer}, a byte consumer on a response's
 * non-blocking output, so that a producer (a file, a stream) is paused while the client is slow.
 */
@NullMarked
package dev.sluice.servlet;

import org.jspecify.annotations.NullMarked;
