package dev.sluice.servlet;

import java.nio.file.Path;

/**
 * The container's {@code sendfile} for one request: the kernel copies a file region to the socket, with no copy
 * through the JVM's heap and no thread per client. The Servlet API has no such call; a container-specific sender is put
 * on each request under {@link #ATTRIBUTE} (on Tomcat by {@link dev.sluice.servlet.tomcat.SendfileValve}, which the
 * Spring Boot starter registers) and {@link HttpTransfers} uses it for plain file bodies when it is there and
 * {@linkplain #available() available}.
 */
public interface KernelFileSender {

    /** The request attribute under which a sender is found. */
    String ATTRIBUTE = KernelFileSender.class.getName();

    /**
     * Whether this request's body may go by sendfile: the connector offers it for this request (plain HTTP/1.1; not
     * under TLS, where the bytes must pass through the JVM to be encrypted) and nothing was sent yet.
     */
    boolean available();

    /**
     * Asks the container to send bytes {@code [from, to)} of {@code file} once the servlet returns, the status and
     * headers (with the {@code Content-Length}) being set. {@code progress} hears when the container has taken the
     * transfer or could not.
     *
     * @param file the file, which the container opens itself
     * @param from the first byte
     * @param to the byte after the last
     * @param progress what is told of the transfer
     */
    void send(Path file, long from, long to, Progress progress);

    /** What a sender tells of a transfer it was asked for. */
    interface Progress {

        /** The container has taken the transfer: it runs until {@code transfer} says it ended. */
        void started(Transfer transfer);

        /** The container did not take the transfer; the connection has been closed. */
        void notStarted(Throwable why);
    }

    /** A transfer the kernel runs, as far as it can be seen from outside. */
    interface Transfer {

        /** The bytes not sent yet: zero once the last byte has been handed to the socket. */
        long remaining();

        /** Whether the connection has been closed (the client went away, a write failed, or {@link #abort()}). */
        boolean connectionClosed();

        /** Closes the connection now: the client sees fewer bytes than announced. */
        void abort();
    }
}
