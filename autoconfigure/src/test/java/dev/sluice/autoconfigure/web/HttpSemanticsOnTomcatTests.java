package dev.sluice.autoconfigure.web;

/**
 * The HTTP semantics suite on Tomcat. A top-level class: Surefire runs no static nested class, so a suite nested in its base class never ran
 * in {@code ./mvnw verify}.
 */
@TransferTest
class HttpSemanticsOnTomcatTests extends HttpSemanticsTests {
}
