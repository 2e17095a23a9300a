package dev.sluice.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.sluice.WaterMarks;
import dev.sluice.boot.ConsumerMarks;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties for Sluice, under {@code sluice.*}.
 *
 * <p>Water marks come in two units, as consumers weigh either bytes or items: {@code high-water-mark} and
 * {@code low-water-mark} are sizes in bytes ({@code 64KB}) for consumers that weigh bytes;
 * {@code high-water-items} and {@code low-water-items} are plain counts ({@code 500}) for consumers that weigh items.
 * A consumer takes the pair of its unit; setting the other pair for it is an error.
 *
 * <p>The properties validate themselves when they are bound (this class is a {@link Validator}, which Spring Boot
 * applies to a {@code @ConfigurationProperties} bean): a bad value fails start-up with a report that names the property
 * and its value as written, where it came from (file and line), why it is refused and what to change. Sizes are
 * bounded: a high-water mark by {@code 1GB}, {@code sluice.file.chunk-size} by {@code 4MB} and by the shared
 * high-water mark. Keys that are not Sluice properties fail start-up before this class is bound, unless
 * {@code sluice.validation.fail-on-unknown-keys} is {@code false}.
 */
@ConfigurationProperties("sluice")
public class SluiceProperties implements Validator, ConsumerMarks {

    /** The unit of consumers that weigh bytes, as {@link dev.sluice.Weigher#unit()} names it. */
    public static final String BYTES = "bytes";

    /** The unit of consumers that weigh items, as {@link dev.sluice.Weigher#unit()} names it. */
    public static final String ITEMS = "items";

    /** The largest {@code sluice.file.chunk-size}. */
    static final DataSize MAX_CHUNK_SIZE = DataSize.ofMegabytes(4);

    /** The largest high-water mark in bytes, shared or of one consumer. */
    static final DataSize MAX_HIGH_WATER_MARK = DataSize.ofGigabytes(1);

    private final Buffer buffer = new Buffer();

    /**
     * Per-consumer overrides of the buffer settings, by consumer name: the bean name of a consumer bean, or a name
     * declared to BufferedConsumerFactory for consumers made at run time.
     */
    private final Map<String, ConsumerBuffer> consumers = new LinkedHashMap<>();

    private final Cooperator cooperator = new Cooperator();

    private final File file = new File();

    private final Metrics metrics = new Metrics();

    private final Health health = new Health();

    private final Shutdown shutdown = new Shutdown();

    private final Validation validation = new Validation();

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

    public Validation getValidation() {
        return this.validation;
    }

    /**
     * The water marks, in bytes, of the consumer called {@code name}; see {@link #waterMarks(String, String)}.
     *
     * @param name a consumer name, or {@code null} for the shared settings
     * @return the marks
     */
    public WaterMarks waterMarks(@Nullable String name) {
        return waterMarks(name, BYTES);
    }

    /**
     * The water marks of the consumer called {@code name} in {@code unit}: its {@code sluice.consumers.<name>.*}
     * settings, else the shared {@code sluice.buffer.*} ones. A low mark not set is half the high mark.
     *
     * @param name a consumer name, or {@code null} for the shared settings
     * @param unit {@link #ITEMS} for counts; anything else is read as {@link #BYTES}
     * @return the marks
     */
    @Override
    public WaterMarks waterMarks(@Nullable String name, String unit) {
        ConsumerBuffer own = (name != null) ? this.consumers.get(name) : null;
        if (ITEMS.equals(unit)) {
            long high = firstSet(own != null ? own.getHighWaterItems() : null, this.buffer.getHighWaterItems());
            Long low = (own != null && own.getLowWaterItems() != null) ? own.getLowWaterItems()
                    : this.buffer.getLowWaterItems();
            return new WaterMarks(high, (low != null) ? low : high / 2);
        }
        DataSize high = (own != null && own.getHighWaterMark() != null) ? own.getHighWaterMark()
                : this.buffer.getHighWaterMark();
        DataSize low = (own != null && own.getLowWaterMark() != null) ? own.getLowWaterMark()
                : this.buffer.getLowWaterMark();
        return new WaterMarks(high.toBytes(), (low != null) ? low.toBytes() : high.toBytes() / 2);
    }

    /**
     * The unit that the settings of {@code name} are written in: {@link #ITEMS} when it sets a count, {@link #BYTES}
     * otherwise.
     */
    @Override
    public String configuredUnit(String name) {
        ConsumerBuffer own = this.consumers.get(name);
        return (own != null && own.setsItems()) ? ITEMS : BYTES;
    }

    private static long firstSet(@Nullable Long own, long shared) {
        return (own != null) ? own : shared;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == SluiceProperties.class || type == Buffer.class
                || type == Cooperator.class || type == File.class || type == Metrics.class || type == Health.class
                || type == Shutdown.class;
    }

    /**
     * Checks what was bound. Spring Boot calls this for every object it binds under {@code sluice}, with the errors of
     * that object, so each error is reported against the property path and origin (file and line) of its value.
     * Checks of map entries (a consumer's marks, also against the shared high mark; a pipe's two bean names) and of the
     * chunk size against the shared high mark run once for the whole, so that they name the entry as written. Each error carries, as its only argument, the action
     * that Sluice's failure report prints: what to change.
     */
    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof Buffer buffer) {
            highMark(errors, "highWaterMark", buffer.getHighWaterMark(), "sluice.buffer.high-water-mark");
            positive(errors, "highWaterItems", buffer.getHighWaterItems(), "sluice.buffer.high-water-items", "1000");
            lowMark(errors, "lowWaterMark", size(buffer.getLowWaterMark()), buffer.getHighWaterMark().toBytes(),
                    "sluice.buffer.high-water-mark", "sluice.buffer.low-water-mark");
            lowMark(errors, "lowWaterItems", buffer.getLowWaterItems(), buffer.getHighWaterItems(),
                    "sluice.buffer.high-water-items", "sluice.buffer.low-water-items");
            notNegativeLows(errors, "", buffer.getLowWaterMark(), buffer.getLowWaterItems());
        }
        else if (target instanceof File file) {
            DataSize chunk = file.getChunkSize();
            positive(errors, "chunkSize", chunk.toBytes(), "sluice.file.chunk-size", "16KB");
            if (chunk.compareTo(MAX_CHUNK_SIZE) > 0) {
                reject(errors, "chunkSize", "sluice.tooLarge", "must be at most " + readable(MAX_CHUNK_SIZE)
                        + ": each file transfer holds whole chunks in memory (the one being written and the next one "
                        + "read) and up to 256 spare chunks are kept for reuse, so the chunk size multiplies the heap "
                        + "every download takes", "Set sluice.file.chunk-size to " + readable(MAX_CHUNK_SIZE)
                        + " or less; 16KB to 64KB keeps a socket busy.");
            }
        }
        else if (target instanceof Cooperator cooperator) {
            if (cooperator.getTimeSlice().toNanos() <= 0) {
                reject(errors, "timeSlice", "sluice.notPositive", "must be positive",
                        "Set sluice.cooperator.time-slice to a duration such as 10ms.");
            }
        }
        else if (target instanceof Shutdown shutdown) {
            notNegative(errors, "timeout", shutdown.getTimeout().isNegative(), "sluice.shutdown.timeout",
                    "a duration such as 30s (0 drops what is buffered at once)");
        }
        else if (target instanceof Health health) {
            notNegative(errors, "stallThreshold", health.getStallThreshold().isNegative(),
                    "sluice.health.stall-threshold", "a duration such as 30s");
        }
        else if (target instanceof Metrics metrics) {
            notNegative(errors, "maxNames", metrics.getMaxNames() < 0, "sluice.metrics.max-names",
                    "a count such as 1000 (0 publishes no per-name meters)");
        }
        else if (target instanceof SluiceProperties properties) {
            properties.validateAgainstSharedMarks(errors);
            properties.validatePipes(errors);
        }
    }

    /** The settings of consumer {@code name}, checked as fields {@code consumers[name].*} of the whole. */
    private static void validateOwnMarks(String name, ConsumerBuffer own, Errors errors) {
        String field = "consumers[" + name + "].";
        if (own.setsBytes() && own.setsItems()) {
            reject(errors, field + ((own.getHighWaterItems() != null) ? "highWaterItems" : "lowWaterItems"),
                    "sluice.units",
                    "cannot be set together with high-water-mark or low-water-mark: a consumer weighs either bytes "
                            + "(sizes such as 64KB) or items (counts)",
                    "Keep the pair that matches the consumer's weigher: high-water-mark / low-water-mark for "
                            + "Weigher.bytes(), high-water-items / low-water-items for Weigher.items(); remove the "
                            + "other pair.");
            return;
        }
        String key = "sluice.consumers." + name;
        if (own.getHighWaterMark() != null) {
            highMark(errors, field + "highWaterMark", own.getHighWaterMark(), key + ".high-water-mark");
            lowMark(errors, field + "lowWaterMark", size(own.getLowWaterMark()), own.getHighWaterMark().toBytes(),
                    key + ".high-water-mark", key + ".low-water-mark");
        }
        if (own.getHighWaterItems() != null) {
            positive(errors, field + "highWaterItems", own.getHighWaterItems(), key + ".high-water-items", "1000");
            lowMark(errors, field + "lowWaterItems", own.getLowWaterItems(), own.getHighWaterItems(),
                    key + ".high-water-items", key + ".low-water-items");
        }
        notNegativeLows(errors, field, own.getLowWaterMark(), own.getLowWaterItems());
    }

    private static void notNegativeLows(Errors errors, String field, @Nullable DataSize lowWaterMark,
            @Nullable Long lowWaterItems) {
        if (lowWaterMark != null && lowWaterMark.isNegative()) {
            reject(errors, field + "lowWaterMark", "sluice.negative", "must not be negative",
                    "Set the low-water mark to a size of 0 or more (0 resumes the producer only once the buffer is "
                            + "empty), or remove it for half the high-water mark.");
        }
        if (lowWaterItems != null && lowWaterItems < 0) {
            reject(errors, field + "lowWaterItems", "sluice.negative", "must not be negative",
                    "Set the low-water count to 0 or more, or remove it for half the high-water count.");
        }
    }

    /**
     * A consumer's own low mark without its own high mark is checked against the shared high mark; the chunk size of
     * file transfers against the shared high mark.
     */
    private void validateAgainstSharedMarks(Errors errors) {
        this.consumers.forEach((name, own) -> {
            validateOwnMarks(name, own, errors);
            if (own.setsBytes() && own.setsItems()) {
                return;
            }
            String field = "consumers[" + name + "].";
            String key = "sluice.consumers." + name;
            if (own.getHighWaterMark() == null) {
                lowMark(errors, field + "lowWaterMark", size(own.getLowWaterMark()),
                        this.buffer.getHighWaterMark().toBytes(), "sluice.buffer.high-water-mark",
                        key + ".low-water-mark");
            }
            if (own.getHighWaterItems() == null) {
                lowMark(errors, field + "lowWaterItems", own.getLowWaterItems(), this.buffer.getHighWaterItems(),
                        "sluice.buffer.high-water-items", key + ".low-water-items");
            }
        });
        DataSize chunk = this.file.getChunkSize();
        DataSize high = this.buffer.getHighWaterMark();
        if (chunk.compareTo(high) > 0) {
            reject(errors, "file.chunkSize", "sluice.aboveHigh", "must not be larger than the high-water mark "
                    + "(sluice.buffer.high-water-mark = " + readable(high) + "): a consumer would pause its "
                    + "producer on every chunk and hold a whole chunk past its mark",
                    "Set sluice.file.chunk-size to " + readable(high) + " or less, or raise "
                            + "sluice.buffer.high-water-mark to at least " + readable(chunk) + ".");
        }
    }

    /** Every pipe names both of its beans. */
    private void validatePipes(Errors errors) {
        this.pipes.forEach((name, pipe) -> {
            String key = "sluice.pipes." + name;
            if (pipe.getProducer() == null || pipe.getProducer().isBlank()) {
                reject(errors, "pipes[" + name + "].producer", "sluice.required",
                        "is required: pipe '" + name + "' has no producer",
                        "Set " + key + ".producer to the bean name of the producer (or kafka:<listener id>), or "
                                + "remove pipe '" + name + "'.");
            }
            if (pipe.getConsumer() == null || pipe.getConsumer().isBlank()) {
                reject(errors, "pipes[" + name + "].consumer", "sluice.required",
                        "is required: pipe '" + name + "' has no consumer",
                        "Set " + key + ".consumer to the bean name of the consumer, or remove pipe '" + name
                                + "'.");
            }
        });
    }

    private static void lowMark(Errors errors, String field, @Nullable Long low, long high, String highKey,
            String lowKey) {
        if (low == null) {
            return;
        }
        if (low >= 0 && high > 0 && low > high) {
            boolean bytes = field.endsWith("Mark");
            String highValue = bytes ? readable(DataSize.ofBytes(high)) : Long.toString(high);
            reject(errors, field, "sluice.aboveHigh",
                    "must not be above the high-water mark (" + highKey + " = " + highValue + ")",
                    "Set " + lowKey + " to " + highValue + " or less (half of it when not set), or raise " + highKey
                            + ".");
        }
    }

    private static void highMark(Errors errors, String field, DataSize high, String key) {
        positive(errors, field, high.toBytes(), key, "64KB");
        if (high.compareTo(MAX_HIGH_WATER_MARK) > 0) {
            reject(errors, field, "sluice.tooLarge", "must be at most " + readable(MAX_HIGH_WATER_MARK)
                    + ": a buffer that large is a heap, not back-pressure (one consumer could hold it all before its "
                    + "producer is paused)", "Set " + key + " to " + readable(MAX_HIGH_WATER_MARK)
                            + " or less; a few times the size of one write is enough to keep a consumer busy.");
        }
    }

    private static void positive(Errors errors, String field, long value, String key, String example) {
        if (value <= 0) {
            reject(errors, field, "sluice.notPositive", "must be positive"
                    + (field.startsWith("highWater") ? " (a high-water mark of 0 would pause the producer on every write)"
                            : ""),
                    "Set " + key + " to a value above 0, such as " + example + ".");
        }
    }

    private static void notNegative(Errors errors, String field, boolean negative, String key, String example) {
        if (negative) {
            reject(errors, field, "sluice.negative", "must not be negative", "Set " + key + " to " + example + ".");
        }
    }

    /**
     * Rejects {@code field} with {@code reason}; {@code action}, what to change, is the error's only argument, which
     * Sluice's failure report prints under "Action".
     */
    static void reject(Errors errors, String field, String code, String reason, String action) {
        errors.rejectValue(field, code, new Object[] { action }, reason);
    }

    /** A size as a user would write it: {@code 64KB} rather than {@code 65536B}. */
    static String readable(DataSize size) {
        long bytes = size.toBytes();
        if (bytes != 0 && bytes % DataSize.ofGigabytes(1).toBytes() == 0) {
            return size.toGigabytes() + "GB";
        }
        if (bytes != 0 && bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
            return size.toMegabytes() + "MB";
        }
        if (bytes != 0 && bytes % DataSize.ofKilobytes(1).toBytes() == 0) {
            return size.toKilobytes() + "KB";
        }
        return bytes + "B";
    }

    private static @Nullable Long size(@Nullable DataSize size) {
        return (size != null) ? size.toBytes() : null;
    }

    /**
     * Status the health contributor reports while a producer is stalled; Spring Boot's standard statuses.
     */
    public enum StallStatus {

        /** Stalls are only listed in the details. */
        UP,

        /** Stalled producers make the state unknown. */
        UNKNOWN,

        /** Stalled producers take the instance out of service. */
        OUT_OF_SERVICE,

        /** Stalled producers are an outage. */
        DOWN
    }

    /** The shared buffer settings. */
    public static class Buffer {

        /**
         * Buffered bytes above which a consumer that weighs bytes pauses its push producer.
         */
        private DataSize highWaterMark = DataSize.ofKilobytes(64);

        /**
         * Buffered bytes at or below which a paused producer is resumed. Half the high-water mark when not set; zero
         * resumes only when the buffer is empty, as Twisted does.
         */
        private @Nullable DataSize lowWaterMark;

        /**
         * Buffered items above which a consumer that weighs items pauses its push producer.
         */
        private long highWaterItems = 1000;

        /**
         * Buffered items at or below which a paused producer is resumed. Half of high-water-items when not set.
         */
        private @Nullable Long lowWaterItems;

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

        public long getHighWaterItems() {
            return this.highWaterItems;
        }

        public void setHighWaterItems(long highWaterItems) {
            this.highWaterItems = highWaterItems;
        }

        public @Nullable Long getLowWaterItems() {
            return this.lowWaterItems;
        }

        public void setLowWaterItems(@Nullable Long lowWaterItems) {
            this.lowWaterItems = lowWaterItems;
        }
    }

    /** Buffer settings of one consumer; what is not set comes from {@code sluice.buffer}. */
    public static class ConsumerBuffer {

        /**
         * Buffered bytes above which this consumer pauses its push producer (a consumer that weighs bytes).
         */
        private @Nullable DataSize highWaterMark;

        /**
         * Buffered bytes at or below which this consumer resumes its paused producer.
         */
        private @Nullable DataSize lowWaterMark;

        /**
         * Buffered items above which this consumer pauses its push producer (a consumer that weighs items).
         */
        private @Nullable Long highWaterItems;

        /**
         * Buffered items at or below which this consumer resumes its paused producer.
         */
        private @Nullable Long lowWaterItems;

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

        public @Nullable Long getHighWaterItems() {
            return this.highWaterItems;
        }

        public void setHighWaterItems(@Nullable Long highWaterItems) {
            this.highWaterItems = highWaterItems;
        }

        public @Nullable Long getLowWaterItems() {
            return this.lowWaterItems;
        }

        public void setLowWaterItems(@Nullable Long lowWaterItems) {
            this.lowWaterItems = lowWaterItems;
        }

        boolean setsBytes() {
            return this.highWaterMark != null || this.lowWaterMark != null;
        }

        boolean setsItems() {
            return this.highWaterItems != null || this.lowWaterItems != null;
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
         * Status the health contributor reports while a producer is stalled.
         */
        private StallStatus stallStatus = StallStatus.UP;

        public Duration getStallThreshold() {
            return this.stallThreshold;
        }

        public void setStallThreshold(Duration stallThreshold) {
            this.stallThreshold = stallThreshold;
        }

        public StallStatus getStallStatus() {
            return this.stallStatus;
        }

        public void setStallStatus(StallStatus stallStatus) {
            this.stallStatus = stallStatus;
        }
    }

    /** Graceful shutdown settings. */
    public static class Shutdown {

        /**
         * Longest time to let pipe buffers drain on shutdown before what is left is dropped (logged and counted).
         * Keep it within spring.lifecycle.timeout-per-shutdown-phase, which bounds the whole phase.
         */
        private Duration timeout = Duration.ofSeconds(30);

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Checks of the configuration itself. */
    public static class Validation {

        /**
         * Whether a key under sluice that no Sluice property has (a misspelt key) fails start-up. Turn it off only when
         * the file is shared with another tool that writes its own keys under sluice.
         */
        private boolean failOnUnknownKeys = true;

        public boolean isFailOnUnknownKeys() {
            return this.failOnUnknownKeys;
        }

        public void setFailOnUnknownKeys(boolean failOnUnknownKeys) {
            this.failOnUnknownKeys = failOnUnknownKeys;
        }
    }

    /** A pipe: a producer bean registered with a consumer bean at start-up. */
    public static class Pipe {

        /**
         * Bean name of the producer.
         */
        private @Nullable String producer;

        /**
         * Bean name of the consumer.
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
