package dev.sluice.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The Sluice sample: a web app that moves data from fast sources to slow sinks with back-pressure, and shows it in
 * actuator.
 * <ul>
 *   <li>{@code GET /files} lists the sample files and {@code GET /files/{name}} downloads one, read by a
 *       {@link dev.sluice.file.FileSender} into a {@link dev.sluice.servlet.ServletOutputConsumer} on the response's
 *       non-blocking output ({@link dev.sluice.sample.files.DownloadController});</li>
 *   <li>the {@code firehose} pipe, wired in {@code application.yml}: a fast push producer into a consumer drained at
 *       a fixed rate, so the pause/resume saw-tooth always shows ({@link dev.sluice.sample.firehose});</li>
 *   <li>{@code /} plots every consumer's buffer against its water marks and every producer's paused time, from
 *       {@code /actuator/producers}.</li>
 * </ul>
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
