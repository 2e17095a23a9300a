package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.sluice.sample.files.FileCatalog.BadFileNameException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /files}: the files, with their sizes and URLs. {@code GET /files/{name}}: one file, streamed with
 * back-pressure ({@link Downloads}); 404 for an unknown name, 400 for a name that is not a plain file name (with
 * {@code ..} or a path separator), 503 when too many downloads of the file run.
 */
@RestController
class DownloadController {

    private final FileCatalog catalog;

    private final Downloads downloads;

    DownloadController(FileCatalog catalog, Downloads downloads) {
        this.catalog = catalog;
        this.downloads = downloads;
    }

    @GetMapping("/files")
    List<Listed> list() throws IOException {
        return this.catalog.list().stream()
            .map(entry -> new Listed(entry.name(), entry.size(), "/files/" + entry.name()))
            .toList();
    }

    @GetMapping("/files/{name}")
    void download(@PathVariable String name, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Path file = this.catalog.find(name).orElseThrow(() -> new NoSuchFile(name));
        if (!this.downloads.send(name, file, request, response)) {
            throw new TooBusy(name);
        }
    }

    @ExceptionHandler
    ProblemDetail badName(BadFileNameException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail noSuchFile(NoSuchFile ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail tooBusy(TooBusy ex, HttpServletResponse response) {
        response.setHeader("Retry-After", "5");
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
    }

    /**
     * A file in the listing.
     *
     * @param name its name
     * @param size its size in bytes
     * @param url where to download it
     */
    record Listed(String name, long size, String url) {
    }

    static final class NoSuchFile extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NoSuchFile(String name) {
            super("No file called '" + name + "'");
        }
    }

    static final class TooBusy extends RuntimeException {

        private static final long serialVersionUID = 1L;

        TooBusy(String name) {
            super("Too many downloads of '" + name + "' are running; try again shortly");
        }
    }
}
