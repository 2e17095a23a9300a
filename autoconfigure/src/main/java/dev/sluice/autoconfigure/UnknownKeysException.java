package dev.sluice.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.origin.Origin;

/**
 * Keys under {@code sluice} that are not Sluice properties, found by {@link UnknownKeysCheck}; Sluice's failure analyzer
 * reports each with its value, origin and the nearest known key.
 */
final class UnknownKeysException extends RuntimeException {

    private final List<UnknownKey> keys;

    UnknownKeysException(List<UnknownKey> keys) {
        super("Keys under '" + UnknownKeysCheck.PREFIX + "' that are not Sluice properties: "
                + keys.stream().map(key -> key.key() + " (" + key.reason() + ")").collect(Collectors.joining(", ")));
        this.keys = List.copyOf(keys);
    }

    List<UnknownKey> keys() {
        return this.keys;
    }

    /**
     * One unknown key.
     *
     * @param key the key as written
     * @param value its value as written
     * @param origin where it was written (file and line), when known
     * @param reason the nearest known key, or the keys known at that level
     */
    record UnknownKey(String key, @Nullable Object value, @Nullable Origin origin, String reason) {
    }
}
