/**
 * JMH benchmarks of Sluice against its peers. Run them as {@code docs/benchmarks.md} says; {@code ./mvnw verify}
 * only compiles them.
 */
package dev.sluice.benchmarks;
