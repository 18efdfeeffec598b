package org.falcosecurity.talon.rules;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The actionners and notifiers that exist: one per route whose endpoint follows the naming scheme
 * ({@code direct:actionner-<category>-<name>} for actionner {@code <category>:<name>},
 * {@code direct:notifier-<name>} for notifier {@code <name>}). Built-in actionners add their parameter contract.
 *
 * <p>Endpoint URIs are only ever built from names that passed {@link #ACTIONNER_NAME} / {@link #NOTIFIER_NAME},
 * never from event data.
 */
public final class Catalog {

    public static final Pattern ACTIONNER_NAME = Pattern.compile("^([a-z0-9_]+):([a-z0-9_]+)$");
    public static final Pattern NOTIFIER_NAME = Pattern.compile("^[a-z0-9_]+$");
    private static final Pattern ACTIONNER_ENDPOINT =
            Pattern.compile("^direct:(?://)?actionner-([a-z0-9_]+)-([a-z0-9_]+)$");
    private static final Pattern NOTIFIER_ENDPOINT = Pattern.compile("^direct:(?://)?notifier-([a-z0-9_]+)$");

    private final Map<String, ActionnerSpec> actionners;
    private final Set<String> notifiers;

    public Catalog(Map<String, ActionnerSpec> actionners, Set<String> notifiers) {
        this.actionners = Collections.unmodifiableMap(new LinkedHashMap<>(actionners));
        this.notifiers = Collections.unmodifiableSet(new TreeSet<>(notifiers));
    }

    /** Builds the catalog from the endpoint URIs routes consume from; other URIs are ignored. */
    public static Catalog fromEndpoints(Collection<String> fromUris) {
        Map<String, ActionnerSpec> builtins = BuiltinActionners.specs();
        Map<String, ActionnerSpec> actionners = new LinkedHashMap<>();
        Set<String> notifiers = new TreeSet<>();
        for (String uri : fromUris) {
            String u = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            Matcher a = ACTIONNER_ENDPOINT.matcher(u);
            if (a.matches()) {
                String name = a.group(1) + ":" + a.group(2);
                actionners.put(name, builtins.getOrDefault(name, ActionnerSpec.open(name)));
            }
            Matcher n = NOTIFIER_ENDPOINT.matcher(u);
            if (n.matches()) {
                notifiers.add(n.group(1));
            }
        }
        return new Catalog(actionners, notifiers);
    }

    public static String actionnerEndpoint(String actionner) {
        Matcher m = ACTIONNER_NAME.matcher(actionner);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an actionner name: " + actionner);
        }
        return "direct:actionner-" + m.group(1) + "-" + m.group(2);
    }

    public static String notifierEndpoint(String notifier) {
        if (!NOTIFIER_NAME.matcher(notifier).matches()) {
            throw new IllegalArgumentException("not a notifier name: " + notifier);
        }
        return "direct:notifier-" + notifier;
    }

    public Optional<ActionnerSpec> actionner(String name) {
        return Optional.ofNullable(actionners.get(name));
    }

    public Set<String> actionnerNames() {
        return new TreeSet<>(actionners.keySet());
    }

    public Set<String> notifierNames() {
        return notifiers;
    }

    public boolean hasNotifier(String name) {
        return notifiers.contains(name);
    }
}
