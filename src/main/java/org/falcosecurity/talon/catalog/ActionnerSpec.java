package org.falcosecurity.talon.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The declaration of an actionner: what a rule may pass it and everything derived from that — the validation of
 * rule files, {@code actionners list}, the reference in {@code docs/actionners.md}, and the Kubernetes permissions
 * of the chart and manifests. An actionner added as a route only ({@link #open}) accepts any parameters.
 */
public final class ActionnerSpec {

    /** Cross-parameter checks; given the parameters, return the problems found. */
    @FunctionalInterface
    public interface Constraint {
        List<Problem> problems(Map<String, Object> parameters);
    }

    /**
     * Resolves parameters at load time (for example reads the {@code file} of {@code kubernetes:script}).
     * Given the parameters and the directory of the rule file, returns the parameters the actionner runs with;
     * throws {@link InvalidParameterException} naming the problem.
     */
    public interface Resolver extends BiFunction<Map<String, Object>, Path, Map<String, Object>> {
    }

    /** A parameter a {@link Resolver} found wrong. */
    public static final class InvalidParameterException extends IllegalArgumentException {
        private final transient Problem problem;

        public InvalidParameterException(String field, String message) {
            super(field + ": " + message);
            this.problem = new Problem(field, message);
        }

        public Problem problem() {
            return problem;
        }
    }

    /** The extra contexts an action may ask for ({@code additional_contexts}), as upstream Falco Talon names them. */
    public static final List<String> CONTEXTS = List.of("aws", "k8snode");

    private final String name;
    private final String description;
    private final String source;
    private final boolean defaultContinue;
    private final Map<String, ParamSpec> params;
    private final boolean openParameters;
    private final List<Constraint> constraints;
    private final Resolver resolver;
    private final List<String> requiredFields;
    private final OutputUse output;
    private final boolean usesContext;
    private final boolean reversible;
    private final String rbacGroup;
    private final List<Permission> permissions;
    private final String example;

    private ActionnerSpec(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.source = b.source;
        this.defaultContinue = b.defaultContinue;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.openParameters = b.openParameters;
        this.constraints = List.copyOf(b.constraints);
        this.resolver = b.resolver;
        this.requiredFields = List.copyOf(b.requiredFields);
        this.output = b.output;
        this.usesContext = b.usesContext;
        this.reversible = b.reversible;
        this.rbacGroup = b.rbacGroup;
        this.permissions = List.copyOf(b.permissions);
        this.example = b.example;
    }

    /**
     * An actionner known only from its route: any parameters, {@code continue} true by default, an optional output
     * and additional contexts (its route gets them as headers).
     */
    public static ActionnerSpec open(String name) {
        return builder(name).openParameters().description("route-defined actionner").output(OutputUse.ALLOWED)
                .usesContext().build();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** {@code category:name}. */
    public String name() {
        return name;
    }

    public String category() {
        return name.substring(0, name.indexOf(':'));
    }

    public String description() {
        return description;
    }

    /** The Falco sources its events come from ({@code syscalls}, {@code k8saudit}, {@code any}). */
    public String source() {
        return source;
    }

    public boolean defaultContinue() {
        return defaultContinue;
    }

    public Map<String, ParamSpec> params() {
        return params;
    }

    public boolean openParameters() {
        return openParameters;
    }

    /** The output fields the event must carry; {@code a|b} means either. */
    public List<String> requiredFields() {
        return requiredFields;
    }

    public OutputUse output() {
        return output;
    }

    /** Whether it reads an action's {@code additional_contexts}. */
    public boolean usesContext() {
        return usesContext;
    }

    /**
     * Whether Talon can revert what it does: an action of it may have a {@code ttl}, and {@code undo} reverts it
     * (labels and annotations restored, the policy deleted, the node uncordoned).
     */
    public boolean reversible() {
        return reversible;
    }

    /** The group of {@code rbac.actionners.*} in the chart that grants its permissions; empty when it needs none. */
    public String rbacGroup() {
        return rbacGroup;
    }

    public List<Permission> permissions() {
        return permissions;
    }

    /** An example action, in rule-file YAML. */
    public String example() {
        return example;
    }

    /** Whether the value of parameter {@code name} is a secret. */
    public boolean isSecret(String param) {
        ParamSpec p = params.get(param);
        return p != null && p.secret();
    }

    /** The given parameters it does not declare (none for an open actionner). */
    public List<String> unknownParameters(Map<String, Object> parameters) {
        return ParamSpec.unknown(parameters, params, openParameters);
    }

    /** Validates parameters; one problem per finding, its field the parameter path ({@code parameters.labels}). */
    public List<Problem> validate(Map<String, Object> parameters) {
        List<Problem> problems = new ArrayList<>(ParamSpec.validateAll(parameters, params, openParameters,
                "parameters.", name, "required by " + name + " but not set"));
        if (problems.isEmpty()) {
            for (Constraint c : constraints) {
                problems.addAll(c.problems(parameters));
            }
        }
        return problems;
    }

    /**
     * The parameters the actionner runs with: the defaults of parameters a rule does not set, then the
     * {@link Resolver}; may throw {@link InvalidParameterException}.
     */
    public Map<String, Object> resolve(Map<String, Object> parameters, Path ruleFileDir) {
        Map<String, Object> run = parameters;
        for (ParamSpec p : params.values()) {
            if (p.defaultValue() != null && parameters.get(p.name()) == null) {
                if (run == parameters) {
                    run = new LinkedHashMap<>(parameters);
                }
                run.put(p.name(), p.defaultValue());
            }
        }
        return resolver == null ? run : resolver.apply(run, ruleFileDir);
    }

    public static final class Builder {
        private final String name;
        private String description = "";
        private String source = "any";
        private boolean defaultContinue = true;
        private final Map<String, ParamSpec> params = new LinkedHashMap<>();
        private boolean openParameters;
        private final List<Constraint> constraints = new ArrayList<>();
        private Resolver resolver;
        private final List<String> requiredFields = new ArrayList<>();
        private OutputUse output = OutputUse.NONE;
        private boolean usesContext;
        private boolean reversible;
        private String rbacGroup = "";
        private final List<Permission> permissions = new ArrayList<>();
        private String example = "";

        private Builder(String name) {
            if (!Catalog.ACTIONNER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an actionner name: " + name);
            }
            this.name = name;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public Builder source(String s) {
            this.source = s;
            return this;
        }

        public Builder defaultContinue(boolean c) {
            this.defaultContinue = c;
            return this;
        }

        public Builder param(ParamSpec p) {
            params.put(p.name(), p);
            return this;
        }

        public Builder openParameters() {
            this.openParameters = true;
            return this;
        }

        public Builder constraint(Constraint c) {
            constraints.add(c);
            return this;
        }

        public Builder resolver(Resolver r) {
            this.resolver = r;
            return this;
        }

        public Builder requiredFields(String... fields) {
            requiredFields.addAll(List.of(fields));
            return this;
        }

        public Builder output(OutputUse use) {
            this.output = use;
            return this;
        }

        public Builder usesContext() {
            this.usesContext = true;
            return this;
        }

        /** Talon can revert its change ({@code ttl}, {@code undo}). */
        public Builder reversible() {
            this.reversible = true;
            return this;
        }

        /** The chart's {@code rbac.actionners.<group>} that grants these permissions. */
        public Builder permissions(String group, List<Permission> needed) {
            this.rbacGroup = group;
            permissions.addAll(needed);
            return this;
        }

        public Builder example(String yaml) {
            this.example = yaml;
            return this;
        }

        public ActionnerSpec build() {
            return new ActionnerSpec(this);
        }
    }
}
