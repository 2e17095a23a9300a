package dev.sluice.autoconfigure.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The one configuration of the transfer tests, so that they share one application on a random port. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "logging.level.dev.sluice=DEBUG", "sluice.consumers.files.high-water-mark=64KB",
                "sluice.consumers.files.low-water-mark=32KB", "sluice.file.chunk-size=16KB",
                "sluice.http.read-threads=4" })
@interface TransferTest {
}
