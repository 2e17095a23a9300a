package dev.sluice.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.sluice.WaterMarks;
import dev.sluice.boot.SluiceConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for Sluice, under {@code sluice.*}.
 *
 * <p>Water marks are in the units of a consumer's weigher: bytes for byte consumers (write {@code 64KB}); for a
 * consumer that weighs items, the number of bytes given is read as a number of items ({@code 64B} is 64 items).
 */
@ConfigurationProperties("sluice")
public class SluiceProperties implements InitializingBean {

    private final Buffer buffer = new Buffer();

    /**
     * Per-consumer overrides of the buffer settings, by consumer name.
     */
    private final Map<String, ConsumerBuffer> consumers = new LinkedHashMap<>();

    private final Cooperator cooperator = new Cooperator();

    private final File file = new File();

    private final Metrics metrics = new Metrics();

    private final Health health = new Health();

    private final Shutdown shutdown = new Shutdown();

    /**
     * Pipes to wire at start-up, by pipe name: each registers a producer bean with a consumer bean.
     */
    private final Map<String, Pipe> pipes = new LinkedHashMap<>();

    public Buffer getBuffer() {
        return this.buffer;
    }

    public Map<String, ConsumerBuffer> getConsumers() {
        return this.consumers;
    }

    public Cooperator getCooperator() {
        return this.cooperator;
    }

    public File getFile() {
        return this.file;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public Health getHealth() {
        return this.health;
    }

    public Shutdown getShutdown() {
        return this.shutdown;
    }

    public Map<String, Pipe> getPipes() {
        return this.pipes;
    }

    /**
     * The water marks of the consumer called {@code name}: its overrides, else the shared settings.
     *
     * @param name a consumer name, or {@code null} for the shared settings
     * @return the marks
     * @throws SluiceConfigurationException naming the property when a mark is negative or low is above high
     */
    public WaterMarks waterMarks(@Nullable String name) {
        ConsumerBuffer override = (name != null) ? this.consumers.get(name) : null;
        String prefix = (override != null) ? "sluice.consumers." + name : "sluice.buffer";
        DataSize high = (override != null && override.getHighWaterMark() != null) ? override.getHighWaterMark()
                : this.buffer.getHighWaterMark();
        String highKey = (override != null && override.getHighWaterMark() != null) ? prefix + ".high-water-mark"
                : "sluice.buffer.high-water-mark";
        DataSize low = (override != null && override.getLowWaterMark() != null) ? override.getLowWaterMark()
                : this.buffer.getLowWaterMark();
        String lowKey = (override != null && override.getLowWaterMark() != null) ? prefix + ".low-water-mark"
                : "sluice.buffer.low-water-mark";
        if (high.isNegative()) {
            throw new SluiceConfigurationException(highKey, high, "must not be negative",
                    "Set it to a size of zero or more, such as 64KB.");
        }
        long lowBytes = (low != null) ? low.toBytes() : high.toBytes() / 2;
        if (lowBytes < 0) {
            throw new SluiceConfigurationException(lowKey, low, "must not be negative",
                    "Set it to a size of zero or more, at most the high-water mark.");
        }
        if (lowBytes > high.toBytes()) {
            throw new SluiceConfigurationException(lowKey, low,
                    "must not be above the high-water mark (" + highKey + " = " + high + ")",
                    "Lower " + lowKey + " or raise " + highKey + ".");
        }
        return new WaterMarks(high.toBytes(), lowBytes);
    }

    /** Checks the settings once they are bound, so that a bad one fails start-up. */
    @Override
    public void afterPropertiesSet() {
        validate();
    }

    /**
     * Checks every setting, so that a bad one fails start-up with a message that names it.
     *
     * @throws SluiceConfigurationException naming the first bad property
     */
    public void validate() {
        waterMarks(null);
        this.consumers.keySet().forEach(this::waterMarks);
        requirePositive("sluice.file.chunk-size", this.file.getChunkSize().toBytes(), this.file.getChunkSize(),
                "Set it to a size such as 16KB.");
        requirePositive("sluice.cooperator.time-slice", this.cooperator.getTimeSlice().toNanos(),
                this.cooperator.getTimeSlice(), "Set it to a duration such as 10ms.");
        requireNotNegative("sluice.shutdown.timeout", this.shutdown.getTimeout());
        requireNotNegative("sluice.health.stall-threshold", this.health.getStallThreshold());
        if (this.metrics.getMaxNames() < 0) {
            throw new SluiceConfigurationException("sluice.metrics.max-names", this.metrics.getMaxNames(),
                    "must not be negative", "Set it to the number of producer and consumer names to measure.");
        }
        this.pipes.forEach((name, pipe) -> {
            if (pipe.getProducer() == null || pipe.getProducer().isBlank()) {
                throw new SluiceConfigurationException("sluice.pipes." + name + ".producer", pipe.getProducer(),
                        "is required", "Name the producer bean of pipe '" + name + "'.");
            }
            if (pipe.getConsumer() == null || pipe.getConsumer().isBlank()) {
                throw new SluiceConfigurationException("sluice.pipes." + name + ".consumer", pipe.getConsumer(),
                        "is required", "Name the consumer bean of pipe '" + name + "'.");
            }
        });
    }

    private static void requirePositive(String key, long amount, Object value, String action) {
        if (amount <= 0) {
            throw new SluiceConfigurationException(key, value, "must be positive", action);
        }
    }

    private static void requireNotNegative(String key, Duration value) {
        if (value.isNegative()) {
            throw new SluiceConfigurationException(key, value, "must not be negative",
                    "Set it to a duration of zero or more, such as 30s.");
        }
    }

    /** The shared buffer settings. */
    public static class Buffer {

        /**
         * Buffered amount above which a consumer pauses its push producer.
         */
        private DataSize highWaterMark = DataSize.ofKilobytes(64);

        /**
         * Buffered amount at or below which a paused producer is resumed. Half the high-water mark when not set;
         * zero resumes only when the buffer is empty, as Twisted does.
         */
        private @Nullable DataSize lowWaterMark;

        public DataSize getHighWaterMark() {
            return this.highWaterMark;
        }

        public void setHighWaterMark(DataSize highWaterMark) {
            this.highWaterMark = highWaterMark;
        }

        public @Nullable DataSize getLowWaterMark() {
            return this.lowWaterMark;
        }

        public void setLowWaterMark(@Nullable DataSize lowWaterMark) {
            this.lowWaterMark = lowWaterMark;
        }
    }

    /** Buffer settings of one consumer; what is not set comes from {@code sluice.buffer}. */
    public static class ConsumerBuffer {

        /**
         * Buffered amount above which this consumer pauses its push producer.
         */
        private @Nullable DataSize highWaterMark;

        /**
         * Buffered amount at or below which this consumer resumes its paused producer.
         */
        private @Nullable DataSize lowWaterMark;

        public @Nullable DataSize getHighWaterMark() {
            return this.highWaterMark;
        }

        public void setHighWaterMark(@Nullable DataSize highWaterMark) {
            this.highWaterMark = highWaterMark;
        }

        public @Nullable DataSize getLowWaterMark() {
            return this.lowWaterMark;
        }

        public void setLowWaterMark(@Nullable DataSize lowWaterMark) {
            this.lowWaterMark = lowWaterMark;
        }
    }

    /** Cooperative scheduler settings. */
    public static class Cooperator {

        /**
         * Longest run of task steps in one tick before the cooperator yields its thread.
         */
        private Duration timeSlice = Duration.ofMillis(10);

        public Duration getTimeSlice() {
            return this.timeSlice;
        }

        public void setTimeSlice(Duration timeSlice) {
            this.timeSlice = timeSlice;
        }
    }

    /** File transfer settings. */
    public static class File {

        /**
         * Size of each chunk a file sender reads and writes.
         */
        private DataSize chunkSize = DataSize.ofKilobytes(16);

        public DataSize getChunkSize() {
            return this.chunkSize;
        }

        public void setChunkSize(DataSize chunkSize) {
            this.chunkSize = chunkSize;
        }
    }

    /** Metrics settings. */
    public static class Metrics {

        /**
         * Whether to publish Sluice's meters when a MeterRegistry is present.
         */
        private boolean enabled = true;

        /**
         * Most producer and consumer names that get meters; names past it get none, so tag cardinality stays
         * bounded.
         */
        private int maxNames = 1000;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxNames() {
            return this.maxNames;
        }

        public void setMaxNames(int maxNames) {
            this.maxNames = maxNames;
        }
    }

    /** Health settings. */
    public static class Health {

        /**
         * How long a producer may stay paused before the health contributor reports it as stalled. A shorter pause
         * is ordinary back-pressure, not an outage.
         */
        private Duration stallThreshold = Duration.ofSeconds(30);

        /**
         * Status the health contributor reports while a producer is stalled, such as UP (stalls only listed in the
         * details), UNKNOWN, OUT_OF_SERVICE or DOWN.
         */
        private String stallStatus = "UP";

        public Duration getStallThreshold() {
            return this.stallThreshold;
        }

        public void setStallThreshold(Duration stallThreshold) {
            this.stallThreshold = stallThreshold;
        }

        public String getStallStatus() {
            return this.stallStatus;
        }

        public void setStallStatus(String stallStatus) {
            this.stallStatus = stallStatus;
        }
    }

    /** Graceful shutdown settings. */
    public static class Shutdown {

        /**
         * Longest time to let pipe buffers drain on shutdown before their producers are stopped and what is left is
         * dropped.
         */
        private Duration timeout = Duration.ofSeconds(30);

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** A pipe: a producer bean registered with a consumer bean at start-up. */
    public static class Pipe {

        /**
         * Name of the producer bean.
         */
        private @Nullable String producer;

        /**
         * Name of the consumer bean.
         */
        private @Nullable String consumer;

        public @Nullable String getProducer() {
            return this.producer;
        }

        public void setProducer(@Nullable String producer) {
            this.producer = producer;
        }

        public @Nullable String getConsumer() {
            return this.consumer;
        }

        public void setConsumer(@Nullable String consumer) {
            this.consumer = consumer;
        }
    }
}
