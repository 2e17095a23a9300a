package dev.sluice.servlet.tomcat;

import java.io.IOException;

import dev.sluice.servlet.ConnectionCloser;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * A Tomcat valve that puts a {@link ConnectionCloser} on every request, so that a
 * {@link dev.sluice.servlet.ServletOutputConsumer} whose transfer fails after the response was committed can close
 * the connection at once, as Tomcat itself does when an error happens after commit. Add it to a context's pipeline
 * (the Sluice Spring Boot starter does so on Tomcat); it supports asynchronous requests.
 */
public final class ConnectionCloserValve extends ValveBase {

    /** A valve for asynchronous requests. */
    public ConnectionCloserValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.getAttribute(ConnectionCloser.ATTRIBUTE) == null) {
            request.setAttribute(ConnectionCloser.ATTRIBUTE, new Closer(response));
        }
        getNext().invoke(request, response);
    }

    /** Closes one response's connection. */
    private record Closer(Response response) implements ConnectionCloser {

        @Override
        public void closeNow(Throwable cause) {
            this.response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, cause);
        }
    }
}
