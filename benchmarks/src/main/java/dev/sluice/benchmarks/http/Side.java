package dev.sluice.benchmarks.http;

/**
 * One way of sending the file, measured against the others on the same container. Sluice's sides carry the issue's
 * throughput target as a fraction of the best peer's fast-client throughput; peers carry none.
 */
enum Side {

    /** {@code SluiceBody.file(path)}: Tomcat's sendfile on plain HTTP (zero-copy on, the default). */
    SLUICE_ZERO_COPY("sluice-zero-copy", "/sluice/", false, 1.0),

    /** {@code SluiceBody.file(path).zeroCopy(false)}: the non-blocking path a file takes under TLS. */
    SLUICE_NONBLOCKING("sluice-nonblocking", "/sluice-nonblocking/", false, 0.8),

    /** {@code SluiceBody.stream(...)} over the same file: the non-blocking path of every non-file body. */
    SLUICE_STREAM("sluice-stream", "/sluice-stream/", false, 0.8),

    /** {@code StreamingResponseBody} on Boot's default MVC async executor. */
    STREAMING("streaming", "/streaming/", false, 0),

    /** {@code ResponseEntity<FileSystemResource>} on the container's default pool of platform threads. */
    RESOURCE("resource", "/resource/", false, 0),

    /**
     * The same with {@code spring.threads.virtual.enabled=true} (on Jetty also {@code server.jetty.threads.max=8192}:
     * see {@link Container}).
     */
    RESOURCE_VIRTUAL("resource-virtual", "/resource/", true, 0);

    final String label;

    final String path;

    final boolean virtualThreads;

    /** The fast clients' throughput this side must reach, as a fraction of the best peer's; 0 for a peer. */
    final double fastTarget;

    Side(String label, String path, boolean virtualThreads, double fastTarget) {
        this.label = label;
        this.path = path;
        this.virtualThreads = virtualThreads;
        this.fastTarget = fastTarget;
    }

    boolean isSluice() {
        return this.fastTarget > 0;
    }

    static Side of(String label) {
        for (Side side : values()) {
            if (side.label.equals(label)) {
                return side;
            }
        }
        throw new IllegalArgumentException("unknown side " + label);
    }
}
