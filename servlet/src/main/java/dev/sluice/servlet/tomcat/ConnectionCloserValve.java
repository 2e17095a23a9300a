package dev.sluice.servlet.tomcat;

import java.io.IOException;

import dev.sluice.servlet.ConnectionCloser;
import dev.sluice.servlet.ServletOutputConsumer;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.jspecify.annotations.Nullable;

/**
 * A Tomcat valve that puts a {@link ConnectionCloser} on every request, so that a
 * {@link dev.sluice.servlet.ServletOutputConsumer} whose transfer fails after the response was committed can close
 * the connection at once, as Tomcat itself does when an error happens after commit. Add it to a context's pipeline
 * (the Sluice Spring Boot starter does so on Tomcat); it supports asynchronous requests.
 *
 * <p>It also tells the consumer how much Tomcat takes in one non-blocking write without copying what the socket does not
 * take: the connector's socket write buffer ({@code socket.appWriteBufSize}, 8 KiB unless set), under
 * {@link ServletOutputConsumer#WRITE_SIZE_ATTRIBUTE}. Tomcat keeps the tail of every non-blocking write in that buffer
 * and reports not ready until it is sent; what does not fit while the socket is full goes to a fresh 64 KiB heap
 * buffer.
 */
public final class ConnectionCloserValve extends ValveBase {

    /** Tomcat's socket write buffer unless {@code socket.appWriteBufSize} is set. */
    private static final int DEFAULT_WRITE_BUFFER = 8192;

    private volatile @Nullable WriteSize writeSize;

    /** A valve for asynchronous requests. */
    public ConnectionCloserValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.getAttribute(ConnectionCloser.ATTRIBUTE) == null) {
            request.setAttribute(ConnectionCloser.ATTRIBUTE, new Closer(response));
        }
        if (request.getAttribute(ServletOutputConsumer.WRITE_SIZE_ATTRIBUTE) == null) {
            request.setAttribute(ServletOutputConsumer.WRITE_SIZE_ATTRIBUTE, writeSize(request.getConnector()));
        }
        getNext().invoke(request, response);
    }

    /** The connector's socket write buffer, read once per connector. */
    private Integer writeSize(Connector connector) {
        WriteSize known = this.writeSize;
        if (known == null || known.connector() != connector) {
            int size = DEFAULT_WRITE_BUFFER;
            Object value = connector.getProperty("socket.appWriteBufSize");
            if (value instanceof Integer configured && configured > 0) {
                size = configured;
            }
            else if (value instanceof String text && !text.isBlank()) {
                size = Integer.parseInt(text.trim());
            }
            known = new WriteSize(connector, size);
            this.writeSize = known;
        }
        return known.size();
    }

    private record WriteSize(Connector connector, Integer size) {
    }

    /** Closes one response's connection. */
    private record Closer(Response response) implements ConnectionCloser {

        @Override
        public void closeNow(Throwable cause) {
            this.response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, cause);
        }
    }
}
