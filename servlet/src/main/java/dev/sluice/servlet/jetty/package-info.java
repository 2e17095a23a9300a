/**
 * Jetty 12 (ee11) support for {@code sluice-servlet}: {@link dev.sluice.servlet.jetty.MappedOutputFilter}, which lets
 * file bodies go to the socket from memory-mapped buffers, with no copy into the heap. Needs
 * {@code jetty-ee11-servlet}; nothing outside this package refers to it.
 */
@NullMarked
package dev.sluice.servlet.jetty;

import org.jspecify.annotations.NullMarked;
