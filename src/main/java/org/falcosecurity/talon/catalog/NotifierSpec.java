package org.falcosecurity.talon.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The declaration of a built-in notifier: its settings (with defaults, required ones and secrets), the checks across
 * settings, the Kubernetes permissions it needs, and an example. Validation, secret masking, the Camel properties
 * routes may read, {@code notifiers list} and the reference in {@code docs/notifiers.md} are derived from it.
 */
public final class NotifierSpec {

    /** A check across settings: given a setting's text by name (defaults applied), the problems found. */
    @FunctionalInterface
    public interface Constraint {
        List<Problem> problems(Function<String, String> setting);
    }

    private final String name;
    private final String description;
    private final Map<String, SettingSpec> settings;
    private final List<Constraint> constraints;
    private final boolean needsCluster;
    private final String rbacGroup;
    private final List<Permission> permissions;
    private final String example;
    private final Map<String, String> renamed;

    /**
     * The setting every notifier has, built-in or a route of routes_directory: how many notifications it sends at
     * once (its queue's consumers). Above 1 the notifications of one notifier may arrive out of order.
     */
    public static final String WORKERS = "workers";

    /** The most {@link #WORKERS} a notifier may have. */
    public static final int MAX_WORKERS = 16;

    /** The {@link #WORKERS} setting with a notifier's default (1 for a notifier route of routes_directory). */
    public static SettingSpec workersSetting(int defaultWorkers) {
        return SettingSpec.integer(WORKERS, defaultWorkers, 1, MAX_WORKERS,
                "Notifications sent at once, each on its own connection; above 1 they may arrive out of order");
    }

    private NotifierSpec(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(b.settings));
        this.constraints = List.copyOf(b.constraints);
        this.needsCluster = b.needsCluster;
        this.rbacGroup = b.rbacGroup;
        this.permissions = List.copyOf(b.permissions);
        this.example = b.example;
        this.renamed = Map.copyOf(b.renamed);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Map<String, SettingSpec> settings() {
        return settings;
    }

    public List<Constraint> constraints() {
        return constraints;
    }

    /** Whether it needs a Kubernetes cluster to talk to. */
    public boolean needsCluster() {
        return needsCluster;
    }

    public String rbacGroup() {
        return rbacGroup;
    }

    public List<Permission> permissions() {
        return permissions;
    }

    /** An example {@code notifiers.<name>} section, in config YAML. */
    public String example() {
        return example;
    }

    /** Settings upstream Falco Talon renamed, old name to new one (its docs still show some old names). */
    public Map<String, String> renamed() {
        return renamed;
    }

    public boolean isSecret(String setting) {
        SettingSpec s = settings.get(setting);
        return s != null && s.secret();
    }

    public static final class Builder {
        private final String name;
        private String description = "";
        private final Map<String, SettingSpec> settings = new LinkedHashMap<>();
        private final List<Constraint> constraints = new ArrayList<>();
        private boolean needsCluster;
        private String rbacGroup = "";
        private final List<Permission> permissions = new ArrayList<>();
        private String example = "";
        private final Map<String, String> renamed = new LinkedHashMap<>();
        private int workers = 1;

        private Builder(String name) {
            if (!Catalog.NOTIFIER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a notifier name: " + name);
            }
            this.name = name;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public Builder setting(SettingSpec s) {
            settings.put(s.name(), s);
            return this;
        }

        public Builder constraint(Constraint c) {
            constraints.add(c);
            return this;
        }

        /** Both settings or neither (a user without its password is a mistake, never silently ignored). */
        public Builder pair(String first, String second) {
            return constraint(s -> s.apply(first).isEmpty() == s.apply(second).isEmpty() ? List.of()
                    : List.of(new Problem("", "set both " + first + " and " + second + ", or neither")));
        }

        public Builder needsCluster() {
            this.needsCluster = true;
            return this;
        }

        public Builder permissions(String group, List<Permission> needed) {
            this.rbacGroup = group;
            permissions.addAll(needed);
            return this;
        }

        /** An old name of a setting, for the "did you mean" of an unknown setting. */
        public Builder renamed(String oldName, String newName) {
            renamed.put(oldName, newName);
            return this;
        }

        public Builder example(String yaml) {
            this.example = yaml;
            return this;
        }

        /** The default of the {@link #WORKERS} setting (1 unless set). */
        public Builder workers(int defaultWorkers) {
            this.workers = defaultWorkers;
            return this;
        }

        public NotifierSpec build() {
            settings.put(WORKERS, workersSetting(workers));
            return new NotifierSpec(this);
        }
    }
}
