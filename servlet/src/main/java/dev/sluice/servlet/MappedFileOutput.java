package dev.sluice.servlet;

/**
 * A container's output that sends a memory-mapped file region without copying it into the heap: a direct
 * {@link java.nio.ByteBuffer} passed to {@link jakarta.servlet.ServletOutputStream#write(java.nio.ByteBuffer)} in
 * non-blocking mode is written to the socket by reference, from the page cache, and the container keeps it until
 * {@code isReady()} is true again. The Servlet API does not promise this (its default {@code write(ByteBuffer)} copies
 * into an array), so a container-specific object says so under {@link #ATTRIBUTE} (on Jetty 12, by
 * {@link dev.sluice.servlet.jetty.MappedOutputFilter}, which the Spring Boot starter registers), and
 * {@link HttpTransfers} maps file bodies in slices for requests where it is {@linkplain #available available}.
 * Where the container offers a {@link KernelFileSender}, that is used instead.
 */
public interface MappedFileOutput {

    /** The request attribute under which one is found. */
    String ATTRIBUTE = MappedFileOutput.class.getName();

    /**
     * Whether the body of this request, written to {@code response}, may come from mapped buffers: the bytes go to the
     * socket untouched by Java code (plain HTTP/1.x, no TLS, {@code response}'s output stream the container's own, and
     * no compression or other layer that reads the content), so that a file that shrinks under a mapping fails a
     * socket write instead of faulting a Java thread. May get the response's output stream.
     *
     * @param response the response the body is to be written to, which may be a wrapper of the container's
     */
    boolean available(jakarta.servlet.http.HttpServletResponse response);
}
