package dev.sluice.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Set;

import dev.sluice.boot.SluiceConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Explains a start-up failure caused by Sluice's configuration, each with an action that says what to change:
 * <ul>
 * <li>keys under {@code sluice} that are not Sluice properties ({@link UnknownKeysCheck}): each key as written, its
 * value, origin (file and line) and the nearest known key;</li>
 * <li>values that Sluice's properties refuse when Spring Boot binds them: the key in kebab case and the value as
 * written, with the origin and the reason, in place of Spring Boot's report (which names the field in camel case and
 * shows the bound value, {@code 131072B} for {@code 128KB});</li>
 * <li>a {@link SluiceConfigurationException} (wiring that cannot work): the property, the problem and where the
 * property was set.</li>
 * </ul>
 * Ordered before Spring Boot's analyzers, so that its generic report of a failed binding does not come first.
 */
final class SluiceFailureAnalyzer implements FailureAnalyzer, Ordered {

    private static final ConfigurationPropertyName SLUICE = ConfigurationPropertyName.of(UnknownKeysCheck.PREFIX);

    private final @Nullable Environment environment;

    SluiceFailureAnalyzer(@Nullable Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        UnknownKeysException unknown = findCause(failure, UnknownKeysException.class);
        if (unknown != null) {
            return unknownKeys(unknown);
        }
        SluiceConfigurationException configuration = findCause(failure, SluiceConfigurationException.class);
        if (configuration != null) {
            return configuration(configuration);
        }
        BindValidationException validation = findCause(failure, BindValidationException.class);
        if (validation != null && isSluice(validation.getValidationErrors().getName())) {
            return validation(validation);
        }
        return null;
    }

    private static FailureAnalysis unknownKeys(UnknownKeysException failure) {
        StringBuilder description = new StringBuilder(String.format("Sluice could not start: %s not %s:%n",
                (failure.keys().size() == 1) ? "a key under 'sluice' is" : "keys under 'sluice' are",
                "a Sluice property"));
        for (UnknownKeysException.UnknownKey key : failure.keys()) {
            appendProperty(description, key.key(), key.value(), key.origin(), "unknown key: " + key.reason());
        }
        String action = "Correct or remove the keys above (the valid keys are listed in the README's Properties "
                + "section, and your IDE completes them from the starter's configuration metadata). If the file is "
                + "shared with a tool that writes its own keys under 'sluice', set "
                + "sluice.validation.fail-on-unknown-keys=false to let them be.";
        return new FailureAnalysis(description.toString(), action, failure);
    }

    private FailureAnalysis configuration(SluiceConfigurationException failure) {
        StringBuilder description = new StringBuilder("Sluice could not start. ").append(failure.getMessage())
            .append('.');
        ConfigurationProperty property = find(failure.getProperty());
        Origin origin = (property != null) ? property.getOrigin() : null;
        if (origin != null) {
            description.append(String.format("%n%n    Origin: %s", origin));
        }
        return new FailureAnalysis(description.toString(), failure.getAction(), failure);
    }

    private FailureAnalysis validation(BindValidationException failure) {
        ValidationErrors errors = failure.getValidationErrors();
        StringBuilder description = new StringBuilder(
                String.format("Sluice could not start: a value under '%s' is not valid:%n", errors.getName()));
        Set<String> actions = new LinkedHashSet<>();
        for (ObjectError error : errors.getAllErrors()) {
            Object[] arguments = error.getArguments();
            String action = (arguments != null && arguments.length > 0 && arguments[0] instanceof String text) ? text
                    : null;
            if (error instanceof FieldError field) {
                String key = errors.getName() + "." + kebab(field.getField());
                ConfigurationProperty bound = bound(errors, key);
                Object value = (bound != null) ? bound.getValue() : field.getRejectedValue();
                Origin origin = (bound != null && bound.getOrigin() != null) ? bound.getOrigin() : Origin.from(field);
                if (origin == null) {
                    origin = siblingOrigin(errors, key);
                }
                appendProperty(description, (bound != null) ? UnknownKeysCheck.typedKey(bound) : key, value, origin,
                        field.getDefaultMessage());
                actions.add((action != null) ? action : "Correct the value of " + key + ".");
            }
            else {
                description.append(String.format("%n    Reason: %s%n", error.getDefaultMessage()));
                actions.add((action != null) ? action : "Correct the settings under " + errors.getName() + ".");
            }
        }
        return new FailureAnalysis(description.toString(), String.join(System.lineSeparator(), actions), failure);
    }

    private static void appendProperty(StringBuilder description, String key, @Nullable Object value,
            @Nullable Origin origin, @Nullable String reason) {
        description.append(String.format("%n    Property: %s", key));
        description.append(String.format("%n    Value: %s", (value != null) ? "\"" + value + "\"" : "(not set)"));
        if (origin != null) {
            description.append(String.format("%n    Origin: %s", origin));
        }
        description.append(String.format("%n    Reason: %s%n", reason));
    }

    /**
     * A field path of a validation error ({@code lowWaterMark}, {@code consumers[uploads].lowWaterMark}) as the key a
     * user writes ({@code low-water-mark}, {@code consumers.uploads.low-water-mark}).
     */
    static String kebab(String field) {
        return DataObjectPropertyName.toDashedForm(field).replace("[", ".").replace("]", "");
    }

    /** The property as written for {@code key} among those bound, matched without regard to case. */
    private @Nullable ConfigurationProperty bound(ValidationErrors errors, String key) {
        for (ConfigurationProperty property : errors.getBoundProperties()) {
            if (property.getName().toString().equalsIgnoreCase(key)) {
                return property;
            }
        }
        return find(key);
    }

    /**
     * For a key that is not set (a pipe's missing producer): where a key next to it was set, which shows the object
     * in the file.
     */
    private static @Nullable Origin siblingOrigin(ValidationErrors errors, String key) {
        String parent = key.substring(0, key.lastIndexOf('.') + 1);
        for (ConfigurationProperty property : errors.getBoundProperties()) {
            String name = property.getName().toString();
            if (name.regionMatches(true, 0, parent, 0, parent.length()) && name.indexOf('.', parent.length()) < 0
                    && property.getOrigin() != null) {
                return property.getOrigin();
            }
        }
        return null;
    }

    /** The property {@code key} as the environment has it (value as written, origin), if set. */
    private @Nullable ConfigurationProperty find(String key) {
        if (this.environment == null) {
            return null;
        }
        ConfigurationPropertyName name;
        try {
            name = ConfigurationPropertyName.isValid(key) ? ConfigurationPropertyName.of(key)
                    : ConfigurationPropertyName.adapt(key, '.');
        }
        catch (RuntimeException ex) {
            return null;
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null) {
                return property;
            }
        }
        return null;
    }

    private static boolean isSluice(ConfigurationPropertyName name) {
        return SLUICE.equals(name) || SLUICE.isAncestorOf(name);
    }

    private static <E extends Throwable> @Nullable E findCause(@Nullable Throwable failure, Class<E> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
