/**
 * The HTTP load benchmark: many slow clients of one large file against Sluice's {@code SluiceBody} and the ways
 * Spring MVC users send files today. Run by {@code benchmarks/run-http.sh}, never by {@code verify}.
 */
package dev.sluice.benchmarks.http;
