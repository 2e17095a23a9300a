package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.servlet.SluiceBody;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The server of {@link ManySlowClients}, one JVM per side: the same file three ways, as Spring users send it today and
 * as Sluice does. {@code --bench.stats-port} opens a side door (the JDK's HTTP server, its own thread) that answers
 * {@code heapUsedAfterGc liveThreads peakThreads}, so the figures can be read while every Tomcat thread is busy.
 */
@SpringBootApplication
public class DownloadServer {

    public static void main(String[] args) throws IOException {
        int statsPort = Integer.parseInt(System.getProperty("bench.stats-port", "0"));
        if (statsPort > 0) {
            stats(statsPort);
        }
        SpringApplication.run(DownloadServer.class, args);
    }

    private static void stats(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/stats", exchange -> {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            var threads = ManagementFactory.getThreadMXBean();
            byte[] body = (heap + " " + threads.getThreadCount() + " " + threads.getPeakThreadCount())
                .getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @RestController
    static class Files3Ways {

        @Value("${bench.dir}")
        private Path dir;

        /** The group's marks may be set under {@code sluice.consumers.bench} (side sluice-16k): declare the name. */
        Files3Ways(BufferedConsumerFactory consumers) {
            consumers.declare("bench");
        }

        /** (a) Sluice: back-pressure on the non-blocking output, reads on the shared pool. */
        @GetMapping("/sluice/{name}")
        SluiceBody sluice(@PathVariable String name) {
            return SluiceBody.file(this.dir.resolve(name)).group("bench");
        }

        /** (b, c) What Spring's documentation shows: a resource, written by a blocked request thread. */
        @GetMapping("/resource/{name}")
        ResponseEntity<FileSystemResource> resource(@PathVariable String name) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new FileSystemResource(this.dir.resolve(name)));
        }

        /** (d) A streaming body, written by a blocked thread of the MVC async executor. */
        @GetMapping("/streaming/{name}")
        ResponseEntity<StreamingResponseBody> streaming(@PathVariable String name) throws IOException {
            Path file = this.dir.resolve(name);
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).contentLength(Files.size(file))
                .body(out -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        in.transferTo(out);
                    }
                });
        }
    }
}
