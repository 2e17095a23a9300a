package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.sluice.servlet.HttpTransfers;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The recursion of the inline read (see dev.sluice.servlet.InlineReadReviewTest) on a real Jetty 12, whose
 * non-blocking output stays ready after a write a fast client takes: with the default water marks of file bodies (a
 * group that sets none: one chunk, resume at half a chunk), every read turn the container thread runs inside
 * {@code onWritePossible} schedules the next one inside itself, and the container thread's stack grows with the
 * body. A filter records the stack depth of every write that reaches the container's stream. DESIGN §4.8: no
 * unbounded recursion, also with an executor that runs tasks on the caller.
 */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sluice.file.chunk-size=4KB", TransferTest.THREADS, "test.group=inline-review",
                "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
@Import(InlineReadReviewJettyStackTest.Depths.class)
class InlineReadReviewJettyStackTest {

    private static final int SIZE = 32 * 1024 * 1024;

    /** Per thread that wrote: the shallowest and the deepest write. */
    static final Map<Thread, int[]> depths = new ConcurrentHashMap<>();

    @LocalServerPort
    int port;

    @Autowired
    private HttpTransfers transfers;

    @Test
    void aFastClientDoesNotDeepenTheContainerThreadsStack() throws IOException {
        TransferTestApp.file("inline-review-deep.bin", SIZE);
        await().atMost(30, TimeUnit.SECONDS).until(() -> this.transfers.running() == 0);
        depths.clear();

        try (Wire wire = Wire.send(this.port, "GET", "/buffered/inline-review-deep.bin")) {
            assertThat(wire.status).isEqualTo(200);
            Wire.Checked checked = wire.check(0);
            assertThat(checked.complete()).as(checked.how()).isTrue();
            assertThat(checked.firstMismatch()).isEqualTo(-1);
        }

        int deepening = depths.values().stream().mapToInt(range -> range[1] - range[0]).max().orElse(0);
        assertThat(deepening)
            .as("stack frames between the shallowest and the deepest write of one thread to the container's stream")
            .isLessThan(100);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Depths {

        @Bean
        FilterRegistrationBean<Filter> inlineReviewDepths() {
            Filter filter = (request, response, chain) -> chain.doFilter(request,
                    new HttpServletResponseWrapper((HttpServletResponse) response) {
                        private ServletOutputStream stream;

                        @Override
                        public ServletOutputStream getOutputStream() throws IOException {
                            if (this.stream == null) {
                                this.stream = new DepthStream(super.getOutputStream());
                            }
                            return this.stream;
                        }
                    });
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
            registration.addUrlPatterns("/buffered/*");
            registration.setAsyncSupported(true);
            return registration;
        }
    }

    /** Delegates to the container's stream; records the stack depth of each write. */
    static final class DepthStream extends ServletOutputStream {

        private final ServletOutputStream delegate;

        DepthStream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean isReady() {
            return this.delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            this.delegate.setWriteListener(listener);
        }

        @Override
        public void write(int b) throws IOException {
            record();
            this.delegate.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            record();
            this.delegate.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            this.delegate.flush();
        }

        @Override
        public void close() throws IOException {
            this.delegate.close();
        }

        private static void record() {
            int depth = StackWalker.getInstance().walk(frames -> (int) frames.count());
            int[] range = depths.computeIfAbsent(Thread.currentThread(), thread -> new int[] {depth, depth});
            synchronized (range) {
                range[0] = Math.min(range[0], depth);
                range[1] = Math.max(range[1], depth);
            }
        }
    }
}
