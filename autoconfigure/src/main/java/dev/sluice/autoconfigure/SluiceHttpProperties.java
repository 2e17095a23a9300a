package dev.sluice.autoconfigure;

import dev.sluice.servlet.FileReads;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of files and streams over HTTP ({@code dev.sluice.servlet.SluiceBody}), under {@code sluice.http}.
 */
@ConfigurationProperties("sluice.http")
public class SluiceHttpProperties {

    /**
     * Most file reads that run at once, for all file transfers together (threads named sluice-file-read-N).
     */
    private int readThreads = FileReads.DEFAULT_THREADS;

    /**
     * Whether file bodies may go by the container's sendfile (Tomcat NIO over plain HTTP/1.1; not under TLS), with no
     * copy through the heap. False keeps every file on the non-blocking path.
     */
    private boolean zeroCopy = true;

    public boolean isZeroCopy() {
        return this.zeroCopy;
    }

    public void setZeroCopy(boolean zeroCopy) {
        this.zeroCopy = zeroCopy;
    }

    public int getReadThreads() {
        return this.readThreads;
    }

    public void setReadThreads(int readThreads) {
        if (readThreads <= 0) {
            throw new IllegalArgumentException("sluice.http.read-threads must be positive, was " + readThreads);
        }
        this.readThreads = readThreads;
    }
}
