package dev.sluice.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on completed futures (Java 17 has no {@code exceptionNow()}). */
public final class Futures {

    private Futures() {
    }

    /** Asserts that {@code future} has failed and returns its failure, unwrapped from {@link CompletionException}. */
    public static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        Throwable failure = future.handle((value, ex) -> ex).join();
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }
}
