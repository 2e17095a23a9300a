package dev.sluice.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

/**
 * Fails start-up, before any bean is made, when a key under {@code sluice} is not a Sluice property (a misspelt key
 * would otherwise leave its setting at the default without a word). What is a Sluice property is what the
 * configuration metadata that Spring Boot's annotation processor wrote ({@code META-INF/spring-configuration-metadata.json})
 * and Spring Boot's {@link Binder} say: each {@code @ConfigurationProperties} class under {@code sluice} that the
 * metadata lists is bound from the environment as Spring Boot binds it, and every key under its prefix that the binder
 * did not bind is unknown. So keys under maps are checked against the map's value type ({@code sluice.consumers.<name>.*},
 * {@code sluice.pipes.<name>.*}, {@code sluice.kafka.listeners.<id>.*}), and free-form maps such as a listener's
 * {@code properties} take any key. Values are not checked here (the binding that follows reports them); keys from
 * environment variables and system properties are left alone, as Spring Boot's {@code ignoreUnknownFields = false}
 * does. Each unknown key is reported with the nearest key that Sluice knows. Off with
 * {@code sluice.validation.fail-on-unknown-keys=false}.
 */
final class UnknownKeysCheck implements BeanFactoryPostProcessor {

    static final String PREFIX = "sluice";

    private static final String METADATA = "classpath*:META-INF/spring-configuration-metadata.json";

    private final Environment environment;

    UnknownKeysCheck(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        ClassLoader classLoader = (beanFactory.getBeanClassLoader() != null) ? beanFactory.getBeanClassLoader()
                : ClassUtils.getDefaultClassLoader();
        List<UnknownKeysException.UnknownKey> unknown = find(classLoader);
        if (!unknown.isEmpty()) {
            throw new UnknownKeysException(unknown);
        }
    }

    /** The unknown keys under {@code sluice}, in the order of their names. */
    List<UnknownKeysException.UnknownKey> find(@Nullable ClassLoader classLoader) {
        Metadata metadata = Metadata.read(classLoader);
        Set<ConfigurationPropertyName> known = new HashSet<>(metadata.names);
        Map<ConfigurationPropertyName, ConfigurationProperty> unbound = new LinkedHashMap<>();
        Binder binder = Binder.get(this.environment);
        for (Map.Entry<ConfigurationPropertyName, String> root : metadata.roots.entrySet()) {
            Class<?> type = load(root.getValue(), classLoader);
            if (type == null) {
                unboundByMetadata(root.getKey(), metadata, unbound);
                continue;
            }
            AttemptedNames attempted = new AttemptedNames();
            try {
                binder.bind(root.getKey(), Bindable.of(type),
                        new NoUnboundElementsBindHandler(attempted, new UnboundElementsSourceFilter()));
            }
            catch (BindException ex) {
                if (ex.getCause() instanceof UnboundConfigurationPropertiesException keys) {
                    keys.getUnboundProperties().stream()
                        .filter(property -> !attempted.failed.contains(property.getName()))
                        .filter(property -> ownRoot(property.getName(), metadata.roots.keySet()).equals(root.getKey()))
                        .forEach(property -> unbound.putIfAbsent(property.getName(), property));
                }
            }
            known.addAll(attempted.names);
        }
        List<UnknownKeysException.UnknownKey> keys = new ArrayList<>();
        unbound.values().stream().sorted(Comparator.comparing(ConfigurationProperty::getName)).forEach(property -> {
            keys.add(new UnknownKeysException.UnknownKey(typedKey(property), property.getValue(),
                    property.getOrigin(), Suggestion.of(property.getName(), known)));
        });
        return keys;
    }

    /** The prefix of the {@code @ConfigurationProperties} class that binds {@code name}: the longest one above it. */
    private static ConfigurationPropertyName ownRoot(ConfigurationPropertyName name,
            Set<ConfigurationPropertyName> roots) {
        ConfigurationPropertyName own = ConfigurationPropertyName.of(PREFIX);
        for (ConfigurationPropertyName root : roots) {
            if (root.isAncestorOf(name) && root.getNumberOfElements() > own.getNumberOfElements()) {
                own = root;
            }
        }
        return own;
    }

    /**
     * For a properties class that cannot be loaded (its module is not on the class path): keys under its prefix that
     * the metadata does not list, unless they are under a map, whose keys only the class could tell.
     */
    private void unboundByMetadata(ConfigurationPropertyName root, Metadata metadata,
            Map<ConfigurationPropertyName, ConfigurationProperty> unbound) {
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || !new UnboundElementsSourceFilter().apply(source)) {
                continue;
            }
            iterable.filter(root::isAncestorOf).stream()
                .filter(name -> !metadata.names.contains(name)
                        && metadata.maps.stream().noneMatch(map -> map.isAncestorOf(name))
                        && ownRoot(name, metadata.roots.keySet()).equals(root))
                .forEach(name -> {
                    ConfigurationProperty property = source.getConfigurationProperty(name);
                    if (property != null) {
                        unbound.putIfAbsent(name, property);
                    }
                });
        }
    }

    private static @Nullable Class<?> load(String type, @Nullable ClassLoader classLoader) {
        try {
            return ClassUtils.forName(type, classLoader);
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return null;
        }
    }

    /** The key as the user wrote it (case and brackets kept), found in the property source it came from. */
    static String typedKey(ConfigurationProperty property) {
        ConfigurationPropertySource source = property.getSource();
        Object underlying = (source != null) ? source.getUnderlyingSource() : null;
        if (underlying instanceof EnumerablePropertySource<?> names) {
            for (String key : names.getPropertyNames()) {
                if (sameName(key, property.getName())) {
                    return key;
                }
            }
        }
        return property.getName().toString();
    }

    private static boolean sameName(String key, ConfigurationPropertyName name) {
        try {
            return ConfigurationPropertyName.adapt(key, '.').equals(name);
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /**
     * Records every name the binder looked for (the keys it would have bound, present or not) and those whose value it
     * could not convert: a known key with a bad value, which the binding that follows reports.
     */
    private static final class AttemptedNames extends AbstractBindHandler {

        final Set<ConfigurationPropertyName> names = new HashSet<>();

        final Set<ConfigurationPropertyName> failed = new HashSet<>();

        AttemptedNames() {
            super(new IgnoreErrorsBindHandler());
        }

        @Override
        public <T> @Nullable Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target,
                BindContext context) {
            this.names.add(name);
            return super.onStart(name, target, context);
        }

        @Override
        public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                Exception error) throws Exception {
            this.failed.add(name);
            return super.onFailure(name, target, context, error);
        }
    }

    /**
     * What the configuration metadata on the class path says about {@code sluice}: the prefixes of its
     * {@code @ConfigurationProperties} classes (groups without a source method) and their types, the names of its
     * properties and groups, and which properties are maps.
     */
    static final class Metadata {

        final Map<ConfigurationPropertyName, String> roots = new LinkedHashMap<>();

        final Set<ConfigurationPropertyName> names = new HashSet<>();

        final Set<ConfigurationPropertyName> maps = new HashSet<>();

        static Metadata read(@Nullable ClassLoader classLoader) {
            Metadata metadata = new Metadata();
            try {
                for (Resource resource : new PathMatchingResourcePatternResolver(classLoader).getResources(METADATA)) {
                    String json;
                    try (InputStream in = resource.getInputStream()) {
                        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    if (json.contains("\"" + PREFIX)) {
                        metadata.add(JsonParserFactory.getJsonParser().parseMap(json));
                    }
                }
            }
            catch (IOException ex) {
                throw new IllegalStateException("Cannot read " + METADATA, ex);
            }
            if (metadata.roots.isEmpty()) {
                throw new IllegalStateException("No configuration metadata for '" + PREFIX + "' found at " + METADATA
                        + ": the starter's jar lacks the file its build generates");
            }
            return metadata;
        }

        private void add(Map<String, Object> json) {
            for (Map<?, ?> group : entries(json.get("groups"))) {
                ConfigurationPropertyName name = sluiceName(group.get("name"));
                if (name != null) {
                    this.names.add(name);
                    if (group.get("sourceMethod") == null && group.get("type") instanceof String type) {
                        this.roots.putIfAbsent(name, type);
                    }
                }
            }
            for (Map<?, ?> property : entries(json.get("properties"))) {
                ConfigurationPropertyName name = sluiceName(property.get("name"));
                if (name != null) {
                    this.names.add(name);
                    if (property.get("type") instanceof String type && type.startsWith("java.util.Map<")) {
                        this.maps.add(name);
                    }
                }
            }
        }

        private static List<Map<?, ?>> entries(@Nullable Object list) {
            List<Map<?, ?>> entries = new ArrayList<>();
            if (list instanceof List<?> items) {
                for (Object item : items) {
                    if (item instanceof Map<?, ?> entry) {
                        entries.add(entry);
                    }
                }
            }
            return entries;
        }

        private static @Nullable ConfigurationPropertyName sluiceName(@Nullable Object name) {
            if (!(name instanceof String text) || !(text.equals(PREFIX) || text.startsWith(PREFIX + "."))
                    || !ConfigurationPropertyName.isValid(text)) {
                return null;
            }
            return ConfigurationPropertyName.of(text);
        }
    }

    /**
     * The nearest known key to an unknown one: element by element from the top, each element that is not known where
     * it stands is replaced by the closest known element there (edit distance, adjacent swaps counting one), if one is
     * close enough to be a typo.
     */
    static final class Suggestion {

        private Suggestion() {
        }

        static String of(ConfigurationPropertyName unknown, Set<ConfigurationPropertyName> known) {
            ConfigurationPropertyName at = ConfigurationPropertyName.of(PREFIX);
            List<String> written = new ArrayList<>(List.of(PREFIX));
            String firstCorrection = null;
            int i = at.getNumberOfElements();
            for (; i < unknown.getNumberOfElements(); i++) {
                String element = unknown.getElement(i, Form.DASHED);
                ConfigurationPropertyName next = append(at, unknown, i);
                if (next == null) {
                    break;
                }
                if (known.contains(next)) {
                    at = next;
                    written.add(original(unknown, i));
                    continue;
                }
                Set<String> choices = children(at, known);
                String nearest = nearest(element, choices);
                if (nearest == null) {
                    if (firstCorrection != null) {
                        break;
                    }
                    return choices.isEmpty() ? "no Sluice property has this name"
                            : "no key '" + element + "' under " + String.join(".", written) + "; the keys there are "
                                    + String.join(", ", choices);
                }
                firstCorrection = (firstCorrection != null) ? firstCorrection : nearest;
                at = at.append(nearest);
                written.add(nearest);
            }
            if (firstCorrection == null) {
                return "no Sluice property has this name";
            }
            for (; i < unknown.getNumberOfElements(); i++) {
                written.add(original(unknown, i));
            }
            return "did you mean `" + firstCorrection + "`? (" + String.join(".", written) + ")";
        }

        /** Element {@code i} of {@code name} as written: its case kept, in brackets if it holds a dot. */
        private static String original(ConfigurationPropertyName name, int i) {
            String element = name.getElement(i, Form.ORIGINAL);
            return element.contains(".") ? "[" + element + "]" : element;
        }

        /** {@code at} with element {@code i} of {@code name}: as written while nothing was corrected. */
        private static @Nullable ConfigurationPropertyName append(ConfigurationPropertyName at,
                ConfigurationPropertyName name, int i) {
            if (at.equals(name.chop(i))) {
                return name.chop(i + 1);
            }
            try {
                return at.append(name.getElement(i, Form.DASHED));
            }
            catch (RuntimeException ex) {
                return null;
            }
        }

        /** The elements right under {@code parent} among the known names, map keys and list indexes left out. */
        private static Set<String> children(ConfigurationPropertyName parent, Set<ConfigurationPropertyName> known) {
            Set<String> children = new TreeSet<>();
            for (ConfigurationPropertyName name : known) {
                if (parent.isAncestorOf(name)) {
                    ConfigurationPropertyName child = name.chop(parent.getNumberOfElements() + 1);
                    if (!child.isLastElementIndexed()) {
                        children.add(child.getLastElement(Form.DASHED));
                    }
                }
            }
            return children;
        }

        /** The closest of {@code choices} to {@code element}, if within a typo's distance of it. */
        static @Nullable String nearest(String element, Set<String> choices) {
            int limit = Math.max(1, element.length() / 3);
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String choice : choices) {
                int distance = distance(element, choice);
                if (distance <= limit && distance < bestDistance) {
                    best = choice;
                    bestDistance = distance;
                }
            }
            return best;
        }

        /** Edit distance where an insertion, a deletion, a substitution or a swap of adjacent characters costs one. */
        static int distance(String a, String b) {
            int[][] d = new int[a.length() + 1][b.length() + 1];
            for (int i = 0; i <= a.length(); i++) {
                d[i][0] = i;
            }
            for (int j = 0; j <= b.length(); j++) {
                d[0][j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                for (int j = 1; j <= b.length(); j++) {
                    int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
                    d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                    if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                    }
                }
            }
            return d[a.length()][b.length()];
        }
    }
}
