package dev.sluice.autoconfigure.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** {@link TransferTest}'s configuration on Jetty 12 (Boot's {@code spring-boot-jetty}) instead of Tomcat. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.HIGH, TransferTest.LOW, TransferTest.CHUNK,
                TransferTest.THREADS, "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
@interface JettyTransferTest {
}
