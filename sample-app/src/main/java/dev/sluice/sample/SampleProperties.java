package dev.sluice.sample;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The sample app's own settings, under {@code sample.*}.
 *
 * @param files the file downloads
 * @param firehose the firehose pipe
 */
@ConfigurationProperties("sample")
public record SampleProperties(Files files, Firehose firehose) {

    public SampleProperties {
        files = (files != null) ? files : new Files(null, null);
        firehose = (firehose != null) ? firehose : new Firehose(null, null);
    }

    /**
     * File download settings.
     *
     * @param dir the directory served at {@code /files}; {@code sample-files} under the working directory by default
     * @param create the sample files made in {@code dir} at start-up when missing (1 MiB, 64 MiB and 512 MiB by
     *        default); empty to make none
     */
    public record Files(Path dir, List<DataSize> create) {

        public Files {
            dir = (dir != null) ? dir : Path.of("sample-files");
            create = (create != null) ? List.copyOf(create)
                    : List.of(DataSize.ofMegabytes(1), DataSize.ofMegabytes(64), DataSize.ofMegabytes(512));
        }
    }

    /**
     * The firehose: a fast push producer into a consumer that drains at a fixed rate.
     *
     * @param rate bytes the slow consumer takes per second (default 128KB)
     * @param chunkSize bytes per write of the producer (default 4KB)
     */
    public record Firehose(DataSize rate, DataSize chunkSize) {

        public Firehose {
            rate = (rate != null) ? rate : DataSize.ofKilobytes(128);
            chunkSize = (chunkSize != null) ? chunkSize : DataSize.ofKilobytes(4);
        }
    }
}
