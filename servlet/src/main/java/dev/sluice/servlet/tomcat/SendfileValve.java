package dev.sluice.servlet.tomcat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;

import dev.sluice.internal.Log;
import dev.sluice.servlet.KernelFileSender;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.net.SendfileDataBase;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * A Tomcat valve that offers Tomcat's sendfile to {@link dev.sluice.servlet.HttpTransfers}: it puts a
 * {@link KernelFileSender} on every HTTP/1.1 request whose connector supports sendfile (the
 * {@code org.apache.tomcat.sendfile.support} attribute, as Tomcat's {@code DefaultServlet} checks; not under TLS).
 * The sender sets the {@code org.apache.tomcat.sendfile.filename}, {@code .start} and {@code .end} attributes;
 * Tomcat's poller then sends the file without a thread and without copying it into the heap.
 *
 * <p>Tomcat tells nobody how far a sendfile has gone or how it ended, so once the servlet has returned this valve
 * commits the response (which makes Tomcat prepare its sendfile) and reads Tomcat's own record of it (the processor's
 * {@code SendfileDataBase}: position and bytes left) and the connection's socket wrapper (closed or not; closing it
 * is how a transfer is stopped). These are Tomcat internals, read by reflection: if this Tomcat lacks them, the valve
 * offers no sender and file bodies take the non-blocking path. Read-only but for {@link KernelFileSender.Transfer#abort()}.
 */
public final class SendfileValve extends ValveBase {

    private static final Log log = Log.of(SendfileValve.class);

    private static final String SUPPORT = "org.apache.tomcat.sendfile.support";

    private static final @Nullable Field HOOK = field("org.apache.coyote.Response", "hook");

    private static final @Nullable Field SENDFILE_DATA = field("org.apache.coyote.http11.Http11Processor",
            "sendfileData");

    private static final @Nullable Field SOCKET_WRAPPER = field("org.apache.coyote.AbstractProcessor",
            "socketWrapper");

    /** A valve for asynchronous requests. */
    public SendfileValve() {
        super(true);
    }

    /** Whether this Tomcat has the internals the valve reads; without them it offers no sender. */
    public static boolean supported() {
        return HOOK != null && SENDFILE_DATA != null && SOCKET_WRAPPER != null;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Object processor = supported() ? get(HOOK, response.getCoyoteResponse()) : null;
        if (processor == null || !SENDFILE_DATA.getDeclaringClass().isInstance(processor)
                || request.getAttribute(KernelFileSender.ATTRIBUTE) != null) {
            getNext().invoke(request, response);
            return;
        }
        Sender sender = new Sender(request);
        request.setAttribute(KernelFileSender.ATTRIBUTE, sender);
        try {
            getNext().invoke(request, response);
        }
        finally {
            request.removeAttribute(KernelFileSender.ATTRIBUTE);
            sender.afterService(response, processor);
        }
    }

    private static @Nullable Field field(String className, String name) {
        try {
            Field found = Class.forName(className, false, SendfileValve.class.getClassLoader()).getDeclaredField(name);
            found.setAccessible(true);
            return found;
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            log.debug("Tomcat's sendfile cannot be followed ({}.{}: {}); file bodies take the non-blocking path",
                    className, name, ex.toString());
            return null;
        }
    }

    private static @Nullable Object get(@Nullable Field field, Object target) {
        try {
            return (field != null) ? field.get(target) : null;
        }
        catch (IllegalAccessException ex) {
            return null;
        }
    }

    /** One request's sender. */
    private static final class Sender implements KernelFileSender {

        private final Request request;

        private KernelFileSender.@Nullable Progress pending;

        Sender(Request request) {
            this.request = request;
        }

        @Override
        public boolean available() {
            return this.pending == null && !this.request.isSecure() && !this.request.isAsyncStarted()
                    && Boolean.TRUE.equals(this.request.getAttribute(SUPPORT))
                    && !this.request.getResponse().isCommitted();
        }

        @Override
        public void send(Path file, long from, long to, KernelFileSender.Progress progress) {
            if (!available()) {
                throw new IllegalStateException("Sendfile is not available for this request");
            }
            this.request.setAttribute("org.apache.tomcat.sendfile.filename", file.toAbsolutePath().toString());
            this.request.setAttribute("org.apache.tomcat.sendfile.start", from);
            this.request.setAttribute("org.apache.tomcat.sendfile.end", to);
            this.pending = progress;
        }

        void afterService(Response response, Object processor) {
            KernelFileSender.Progress progress = this.pending;
            if (progress == null) {
                return;
            }
            try {
                response.flushBuffer(); // commits: Tomcat prepares the sendfile it runs once this valve returns
                Object data = get(SENDFILE_DATA, processor);
                Object wrapper = get(SOCKET_WRAPPER, processor);
                if (data instanceof SendfileDataBase sendfile && wrapper instanceof SocketWrapperBase<?> socket) {
                    progress.started(new TomcatTransfer(sendfile, socket));
                    return;
                }
                throw new IllegalStateException("Tomcat did not take the sendfile request");
            }
            catch (IOException | RuntimeException ex) {
                response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, ex);
                progress.notStarted(ex);
            }
        }
    }

    /** Tomcat's record of one sendfile; its fields are written by the poller and read here racily but whole. */
    private record TomcatTransfer(SendfileDataBase data, SocketWrapperBase<?> socket) implements KernelFileSender.Transfer {

        @Override
        public long remaining() {
            return this.data.length;
        }

        @Override
        public boolean connectionClosed() {
            return this.socket.isClosed();
        }

        @Override
        public void abort() {
            this.socket.close();
        }
    }
}
