package dev.sluice.boot;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * A Sluice setting or wiring that cannot work. Start-up fails with it, and Sluice's {@link FailureAnalyzer} turns it into
 * a description that names the property and an action.
 */
public class SluiceConfigurationException extends RuntimeException {

    private final String property;

    private final @Nullable Object value;

    private final String action;

    /**
     * Creates the exception.
     *
     * @param property the property at fault, as a user would write it
     * @param value its value
     * @param problem what is wrong, completing "Property 'x' ..."
     * @param action what to do about it
     */
    public SluiceConfigurationException(String property, @Nullable Object value, String problem, String action) {
        this(new StringBuilder("Property '").append(property).append("' ").append(problem).append(" (value: ")
            .append(value).append(')'), property, value, action);
    }

    private SluiceConfigurationException(CharSequence message, String property, @Nullable Object value,
            String action) {
        super(message.toString());
        this.property = property;
        this.value = value;
        this.action = action;
    }

    /**
     * A bean that cannot take part as it is.
     *
     * @param beanName the bean at fault
     * @param property the property that configures it, named in the message by {@code problem}
     * @param problem what is wrong, completing "Bean 'x' ..."
     * @param action what to do about it
     * @return the exception
     */
    public static SluiceConfigurationException ofBean(String beanName, String property, String problem,
            String action) {
        return new SluiceConfigurationException(new StringBuilder("Bean '").append(beanName).append("' ")
            .append(problem), property, beanName, action);
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
