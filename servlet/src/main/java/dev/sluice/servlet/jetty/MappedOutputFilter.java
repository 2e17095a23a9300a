package dev.sluice.servlet.jetty;

import java.io.IOException;

import dev.sluice.servlet.MappedFileOutput;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.eclipse.jetty.ee11.servlet.HttpOutput;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Response;
import org.jspecify.annotations.Nullable;

/**
 * A servlet filter that offers Jetty's by-reference writes to {@link dev.sluice.servlet.HttpTransfers}: it puts a
 * {@link MappedFileOutput} on every request, so that a file body is written as memory-mapped slices. Jetty 12 has no
 * sendfile, but its {@code HttpOutput.write(ByteBuffer)} bypasses its aggregation buffer and hands a direct buffer to
 * the socket's gathering write as it is (what Jetty's own static content does with its mapped buffers): the kernel
 * copies from the page cache to the socket, and no Java thread reads the file.
 *
 * <p>The output is {@linkplain MappedFileOutput#available available} only where nothing in Java reads the bytes: a
 * request on Jetty's ee11 servlet layer, over a plain connection ({@code isSecure()} false: TLS encrypts in Java) with
 * HTTP/1.x, whose response is Jetty's own with an {@link HttpOutput} (under no wrapper but Spring MVC's lifecycle
 * wrapper, which only passes writes on and is bypassed: its stream would copy the buffer into an array), and whose
 * core response passes through no layer but Jetty's and Spring Boot's own, none of them compression: with Jetty's
 * {@code GzipHandler} or {@code CompressionHandler} (Boot's {@code server.compression.enabled}) in the chain, or an
 * unknown response wrapper, file bodies take the non-blocking path. On another container the filter puts nothing.
 */
public final class MappedOutputFilter implements Filter {

    /** Spring MVC's response wrapper, which only passes writes on (but copies a {@code ByteBuffer} into an array). */
    private static final String PASS_THROUGH =
            "org.springframework.web.context.request.async.StandardServletAsyncWebRequest$LifecycleHttpServletResponse";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && request.getAttribute(MappedFileOutput.ATTRIBUTE) == null) {
            ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
            if (jetty != null) {
                request.setAttribute(MappedFileOutput.ATTRIBUTE, new JettyOutput(http, jetty));
            }
        }
        chain.doFilter(request, response);
    }

    /** Whether {@code response} passes only through layers known not to read or transform the content. */
    static boolean plainChain(Response response) {
        for (Response layer = response; layer != null;
                layer = (layer instanceof Response.Wrapper wrapper) ? wrapper.getWrapped() : null) {
            String name = layer.getClass().getName();
            boolean known = name.startsWith("org.eclipse.jetty.") || name.startsWith("org.springframework.boot.jetty.");
            boolean compression = name.startsWith("org.eclipse.jetty.server.handler.gzip.")
                    || name.startsWith("org.eclipse.jetty.compression.");
            if (!known || compression) {
                return false;
            }
        }
        return true;
    }

    /** One request's offer. */
    private record JettyOutput(HttpServletRequest request, ServletContextRequest jetty) implements MappedFileOutput {

        @Override
        public @Nullable HttpServletResponse target(HttpServletResponse response) {
            if (this.request.isSecure() || !this.request.getProtocol().startsWith("HTTP/1.")
                    || !plainChain(this.jetty.getServletContextResponse())) {
                return null;
            }
            HttpServletResponse target = response;
            while (target instanceof HttpServletResponseWrapper wrapper
                    && PASS_THROUGH.equals(wrapper.getClass().getName())
                    && wrapper.getResponse() instanceof HttpServletResponse inner) {
                target = inner;
            }
            try {
                return (target.getOutputStream() instanceof HttpOutput) ? target : null;
            }
            catch (IOException | IllegalStateException ex) {
                return null; // a writer was taken: the non-blocking path answers as it does
            }
        }

        @Override
        public String toString() {
            return "MappedFileOutput[Jetty]";
        }
    }
}
