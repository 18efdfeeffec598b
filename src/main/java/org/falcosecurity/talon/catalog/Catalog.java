package org.falcosecurity.talon.catalog;

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
 * The actionners, notifiers and output targets that exist: one per route whose endpoint follows the naming scheme
 * ({@code direct:actionner-<category>-<name>} for actionner {@code <category>:<name>},
 * {@code direct:notifier-<name>} for notifier {@code <name>}, {@code direct:output-<category>-<name>} for output
 * target {@code <category>:<name>}). A route of a built-in carries its declaration; any other is open.
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
    private static final Pattern OUTPUT_ENDPOINT = Pattern.compile("^direct:(?://)?output-([a-z0-9_]+)-([a-z0-9_]+)$");

    private final Map<String, ActionnerSpec> actionners;
    private final Set<String> notifiers;
    private final Map<String, OutputSpec> outputs;
    private final Declarations declarations;

    private Catalog(Map<String, ActionnerSpec> actionners, Set<String> notifiers, Map<String, OutputSpec> outputs,
                    Declarations declarations) {
        this.actionners = Collections.unmodifiableMap(new LinkedHashMap<>(actionners));
        this.notifiers = Collections.unmodifiableSet(new TreeSet<>(notifiers));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.declarations = declarations;
    }

    public static Catalog empty() {
        return new Catalog(Map.of(), Set.of(), Map.of(), Declarations.none());
    }

    /** Builds the catalog from the endpoint URIs routes consume from; other URIs are ignored. */
    public static Catalog of(Collection<String> fromUris, Declarations builtins) {
        Map<String, ActionnerSpec> actionners = new LinkedHashMap<>();
        Set<String> notifiers = new TreeSet<>();
        Map<String, OutputSpec> outputs = new LinkedHashMap<>();
        for (String uri : fromUris) {
            String u = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            Matcher a = ACTIONNER_ENDPOINT.matcher(u);
            if (a.matches()) {
                String name = a.group(1) + ":" + a.group(2);
                actionners.put(name, builtins.actionner(name).orElseGet(() -> ActionnerSpec.open(name)));
            }
            Matcher n = NOTIFIER_ENDPOINT.matcher(u);
            if (n.matches()) {
                notifiers.add(n.group(1));
            }
            Matcher o = OUTPUT_ENDPOINT.matcher(u);
            if (o.matches()) {
                String name = o.group(1) + ":" + o.group(2);
                outputs.put(name, builtins.output(name).orElseGet(() -> OutputSpec.open(name)));
            }
        }
        return new Catalog(actionners, notifiers, outputs, builtins);
    }

    public static String actionnerEndpoint(String actionner) {
        Matcher m = ACTIONNER_NAME.matcher(actionner);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an actionner name: " + actionner);
        }
        return "direct:actionner-" + m.group(1) + "-" + m.group(2);
    }

    public static String outputEndpoint(String target) {
        Matcher m = ACTIONNER_NAME.matcher(target);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an output target name: " + target);
        }
        return "direct:output-" + m.group(1) + "-" + m.group(2);
    }

    public Optional<ActionnerSpec> actionner(String name) {
        return Optional.ofNullable(actionners.get(name));
    }

    public Set<String> actionnerNames() {
        return new TreeSet<>(actionners.keySet());
    }

    /** The actionners whose change Talon can revert ({@code ttl}, {@code undo}). */
    public Set<String> reversibleActionnerNames() {
        Set<String> out = new TreeSet<>();
        actionners.forEach((n, spec) -> {
            if (spec.reversible()) {
                out.add(n);
            }
        });
        return out;
    }

    public Set<String> notifierNames() {
        return notifiers;
    }

    public boolean hasNotifier(String name) {
        return notifiers.contains(name);
    }

    /** The declaration of a notifier route that is a built-in one; empty for a user's own. */
    public Optional<NotifierSpec> notifier(String name) {
        return notifiers.contains(name) ? declarations.notifier(name) : Optional.empty();
    }

    public Optional<OutputSpec> output(String name) {
        return Optional.ofNullable(outputs.get(name));
    }

    public Set<String> outputNames() {
        return new TreeSet<>(outputs.keySet());
    }

    /** The built-in declarations this catalog was made with. */
    public Declarations declarations() {
        return declarations;
    }
}
