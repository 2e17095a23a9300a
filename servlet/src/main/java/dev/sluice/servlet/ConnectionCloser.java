package dev.sluice.servlet;

/**
 * Closes a request's connection at once, without ending the response: what a server does when a response it has
 * committed cannot be completed, so that the client sees a broken transfer instead of a short one that looks whole.
 * The Servlet API has no such call; a container-specific closer is put on each request under {@link #ATTRIBUTE} (on
 * Tomcat by {@link dev.sluice.servlet.tomcat.ConnectionCloserValve}) and {@link ServletOutputConsumer} uses it when
 * it is there.
 */
@FunctionalInterface
public interface ConnectionCloser {

    /** The request attribute under which a closer is found. */
    String ATTRIBUTE = ConnectionCloser.class.getName();

    /**
     * Closes the connection of the request that carries this closer, now: what has been written and flushed stays
     * sent, nothing more is, and a chunked body gets no last chunk.
     *
     * @param cause why, for the container's own records
     */
    void closeNow(Throwable cause);
}
