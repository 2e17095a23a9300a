package dev.sluice.boot;

import org.jspecify.annotations.Nullable;

/**
 * A Sluice setting or wiring that cannot work. Start-up fails with it, and {@link SluiceFailureAnalyzer} turns it into
 * a description that names the property and an action.
 */
public class SluiceConfigurationException extends RuntimeException {

    private final String property;

    private final @Nullable Object value;

    private final String action;

    /**
     * Creates the exception.
     *
     * @param property the property (or bean) at fault, as a user would write it
     * @param value its value
     * @param problem what is wrong, completing "Property 'x' ..."
     * @param action what to do about it
     */
    public SluiceConfigurationException(String property, @Nullable Object value, String problem, String action) {
        super("Property '" + property + "' " + problem + " (value: " + value + ")");
        this.property = property;
        this.value = value;
        this.action = action;
    }

    public String getProperty() {
        return this.property;
    }

    public @Nullable Object getValue() {
        return this.value;
    }

    public String getAction() {
        return this.action;
    }
}
