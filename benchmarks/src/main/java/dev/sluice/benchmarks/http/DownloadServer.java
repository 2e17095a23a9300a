package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
 * The server of {@link ManySlowClients}: the same file five ways, as Spring users send it today and as Sluice does,
 * one path per {@link Side}. The driver starts it on Tomcat or Jetty ({@link Container}), on platform or virtual
 * threads; {@code -Dbench.stats-port} opens the {@link StatsDoor}.
 */
@SpringBootApplication
public class DownloadServer {

    public static void main(String[] args) throws IOException {
        int statsPort = Integer.parseInt(System.getProperty("bench.stats-port", "0"));
        if (statsPort > 0) {
            StatsDoor.open(statsPort);
        }
        SpringApplication.run(DownloadServer.class, args);
    }

    @RestController
    static class FilesFiveWays {

        @Value("${bench.dir}")
        private Path dir;

        /** The group's marks may be set under {@code sluice.consumers.bench}: declare the name. */
        FilesFiveWays(BufferedConsumerFactory consumers) {
            consumers.declare("bench");
        }

        /** Sluice's file body: the container's sendfile where it offers one, else the non-blocking path. */
        @GetMapping("/sluice/{name}")
        SluiceBody sluice(@PathVariable String name) {
            return SluiceBody.file(this.dir.resolve(name)).group("bench");
        }

        /** The same body kept off sendfile, as under TLS: reads on the shared pool, back-pressure on the output. */
        @GetMapping("/sluice-nonblocking/{name}")
        SluiceBody sluiceNonBlocking(@PathVariable String name) {
            return SluiceBody.file(this.dir.resolve(name)).zeroCopy(false).group("bench");
        }

        /** A stream body over the file: what any non-file source goes through (reads on the writing thread). */
        @GetMapping("/sluice-stream/{name}")
        SluiceBody sluiceStream(@PathVariable String name) throws IOException {
            return SluiceBody.stream(FileByteStream.open(this.dir.resolve(name)))
                .contentType(SluiceBody.OCTET_STREAM)
                .group("bench");
        }

        /** What Spring's documentation shows: a resource, written by a blocked request thread. */
        @GetMapping("/resource/{name}")
        ResponseEntity<FileSystemResource> resource(@PathVariable String name) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new FileSystemResource(this.dir.resolve(name)));
        }

        /** A streaming body, written by a blocked thread of the MVC async executor. */
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
