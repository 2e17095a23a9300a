package dev.sluice.twisted.task.testing;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Termination predicates for deterministic cooperator tests. */
public final class Units {

    private Units() {
    }

    /** A termination predicate factory that ends each tick after {@code n} work units. */
    public static Supplier<BooleanSupplier> perTick(int n) {
        return () -> {
            int[] done = {0};
            return () -> ++done[0] >= n;
        };
    }
}
