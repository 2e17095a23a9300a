package dev.sluice.autoconfigure.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The one configuration of the transfer tests on Tomcat, so that they share one application on a random port (Jetty is
 * on the test class path too, for {@link JettyTransferTest}, and is left out here).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.HIGH, TransferTest.LOW, TransferTest.CHUNK,
                TransferTest.THREADS, "spring.autoconfigure.exclude=" + TransferTest.JETTY })
@interface TransferTest {

    String LOGGING = "logging.level.dev.sluice=DEBUG";

    String HIGH = "sluice.consumers.files.high-water-mark=64KB";

    String LOW = "sluice.consumers.files.low-water-mark=32KB";

    String CHUNK = "sluice.file.chunk-size=16KB";

    String THREADS = "sluice.http.read-threads=4";

    String JETTY = "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

    String TOMCAT = "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";
}
