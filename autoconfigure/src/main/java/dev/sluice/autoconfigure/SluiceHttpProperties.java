package dev.sluice.autoconfigure;

import dev.sluice.servlet.FileReads;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Settings of files and streams over HTTP ({@code dev.sluice.servlet.SluiceBody}), under {@code sluice.http}. The
 * properties validate themselves when bound, as {@link SluiceProperties} do.
 */
@ConfigurationProperties("sluice.http")
public class SluiceHttpProperties implements Validator {

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
        this.readThreads = readThreads;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == SluiceHttpProperties.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof SluiceHttpProperties properties && properties.getReadThreads() <= 0) {
            SluiceProperties.reject(errors, "readThreads", "sluice.notPositive", "must be positive",
                    "Set sluice.http.read-threads to 1 or more (default " + FileReads.DEFAULT_THREADS + ").");
        }
    }
}
