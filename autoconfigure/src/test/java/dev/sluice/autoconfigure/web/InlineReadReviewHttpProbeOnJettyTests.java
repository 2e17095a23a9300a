package dev.sluice.autoconfigure.web;

/**
 * The inline-read review probe on Jetty. A top-level class: Surefire runs no static nested class, so a suite nested in its base class never ran
 * in {@code ./mvnw verify}.
 */
@JettyTransferTest
class InlineReadReviewHttpProbeOnJettyTests extends InlineReadReviewHttpProbeTest {
}
