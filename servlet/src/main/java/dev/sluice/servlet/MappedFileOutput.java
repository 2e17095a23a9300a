package dev.sluice.servlet;

import org.jspecify.annotations.Nullable;

/**
 * A container's output that sends a memory-mapped file region without copying it into the heap: a direct
 * {@link java.nio.ByteBuffer} passed to {@link jakarta.servlet.ServletOutputStream#write(java.nio.ByteBuffer)} in
 * non-blocking mode is written to the socket by reference, from the page cache, and the container keeps it until
 * {@code isReady()} is true again. The Servlet API does not promise this (its default {@code write(ByteBuffer)} copies
 * into an array), so a container-specific object says so under {@link #ATTRIBUTE} (on Jetty 12, by
 * {@link dev.sluice.servlet.jetty.MappedOutputFilter}, which the Spring Boot starter registers), and
 * {@link HttpTransfers} maps file bodies in slices for requests where it names a {@linkplain #target target}.
 * Where the container offers a {@link KernelFileSender}, that is used instead.
 */
public interface MappedFileOutput {

    /** The request attribute under which one is found. */
    String ATTRIBUTE = MappedFileOutput.class.getName();

    /**
     * The response to write this request's body to from mapped buffers, or {@code null} where it may not: the bytes
     * must go to the socket untouched by Java code (plain HTTP/1.x, no TLS, no compression or other layer that reads
     * the content), so that a file that shrinks under a mapping fails a socket write instead of faulting a Java
     * thread. The response returned is the container's own, found under {@code response} through wrappers known only
     * to pass writes on (Spring MVC's lifecycle wrapper, whose output stream copies a {@code ByteBuffer} into an
     * array); under any other wrapper the answer is {@code null}. May get the returned response's output stream.
     *
     * @param response the response the body is for, which may be a wrapper of the container's
     * @return the response whose output stream writes direct buffers by reference, or {@code null}
     */
    jakarta.servlet.http.@Nullable HttpServletResponse target(jakarta.servlet.http.HttpServletResponse response);
}
