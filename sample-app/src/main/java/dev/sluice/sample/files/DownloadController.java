package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import dev.sluice.sample.files.FileCatalog.BadFileNameException;
import dev.sluice.servlet.SluiceBody;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * {@code GET /files}: the files, in natural order ({@code 2MiB.bin} before {@code 10MiB.bin}), with their sizes and
 * URLs (each name encoded as a path segment, so a name with spaces or {@code #} is a working URL). {@code GET /files/{name}}: one file, sent with
 * back-pressure by returning a {@link SluiceBody} (HEAD, ranges, ETag and conditional requests included); 404 for an
 * unknown name, 400 for a name that is not a plain file name. Every download is in the registry group
 * {@value #GROUP} while it runs ({@code downloads#<n>}), with the water marks of {@code sluice.consumers.downloads}.
 */
@RestController
class DownloadController {

    /** The registry group of the downloads, and the consumer name whose water marks they use. */
    static final String GROUP = "downloads";

    private final FileCatalog catalog;

    DownloadController(FileCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/files")
    List<Listed> list() throws IOException {
        return this.catalog.list().stream()
            .map(entry -> new Listed(entry.name(), entry.size(),
                    "/files/" + UriUtils.encodePathSegment(entry.name(), StandardCharsets.UTF_8)))
            .toList();
    }

    @GetMapping("/files/{name}")
    SluiceBody download(@PathVariable String name) throws IOException {
        Path file = this.catalog.find(name).orElseThrow(() -> new NoSuchFile(name));
        return SluiceBody.file(file).attachment().group(GROUP);
    }

    @ExceptionHandler
    ProblemDetail badName(BadFileNameException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail noSuchFile(NoSuchFile ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
    }

    /**
     * A file in the listing.
     *
     * @param name its name
     * @param size its size in bytes
     * @param url where to download it, the name encoded as a path segment
     */
    record Listed(String name, long size, String url) {
    }

    static final class NoSuchFile extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NoSuchFile(String name) {
            super("No file called '" + FileCatalog.shown(name) + "'");
        }
    }
}
