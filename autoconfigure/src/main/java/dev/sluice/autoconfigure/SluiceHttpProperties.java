package dev.sluice.autoconfigure;

import dev.sluice.servlet.FileReads;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
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
     * Whether file bodies may go with no copy through the heap: by the container's sendfile on Tomcat NIO over plain
     * HTTP/1.1, or on Jetty 12 over plain HTTP/1.x without compression from memory-mapped buffers that Jetty writes by
     * reference. Not under TLS. False keeps every file on the non-blocking path.
     */
    private boolean zeroCopy = true;

    /**
     * On Tomcat: the connector's socket write buffer ({@code socket.appWriteBufSize}, Tomcat's default 8 KiB), which is
     * also the size of each non-blocking write of a Sluice body: a write that fits is never copied into a fresh heap
     * buffer when the socket is full, and a larger buffer takes more per write-ready cycle. Costs this much heap per
     * open connection. Zero leaves Tomcat's setting alone.
     */
    private DataSize tomcatWriteBuffer = DataSize.ofKilobytes(32);

    public DataSize getTomcatWriteBuffer() {
        return this.tomcatWriteBuffer;
    }

    public void setTomcatWriteBuffer(DataSize tomcatWriteBuffer) {
        this.tomcatWriteBuffer = tomcatWriteBuffer;
    }

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
        if (target instanceof SluiceHttpProperties properties && (properties.getTomcatWriteBuffer() == null
                || properties.getTomcatWriteBuffer().isNegative()
                || properties.getTomcatWriteBuffer().toBytes() > Integer.MAX_VALUE)) {
            SluiceProperties.reject(errors, "tomcatWriteBuffer", "sluice.outOfRange", "must be 0 or a positive size",
                    "Set sluice.http.tomcat-write-buffer to a size such as 32KB, or 0 for Tomcat's own setting.");
        }
        if (target instanceof SluiceHttpProperties properties && properties.getReadThreads() <= 0) {
            SluiceProperties.reject(errors, "readThreads", "sluice.notPositive", "must be positive",
                    "Set sluice.http.read-threads to 1 or more (default " + FileReads.DEFAULT_THREADS + ").");
        }
    }
}
