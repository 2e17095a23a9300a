package dev.sluice.sample;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The one configuration of every sample-app test, so that they share one application context: a real server on a
 * random port, metrics exported as in production (so {@code /actuator/prometheus} answers), the sample files in {@code target/test-sample-files} (made once, kept between runs), and a faster
 * firehose.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "sample.files.dir=target/test-sample-files",
        "sample.firehose.rate=1MB",
        "sluice.shutdown.timeout=0s" })
@AutoConfigureRestTestClient
@AutoConfigureMetrics(export = true)
public @interface SampleAppTest {
}
