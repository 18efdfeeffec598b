package org.falcosecurity.talon.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What the rule validator knows of an actionner: its default {@code continue}, and, for the built-in ones, the
 * parameters it accepts. An actionner added as a route only ({@link #open}) accepts any parameters.
 */
public final class ActionnerSpec {

    /** Cross-parameter checks; given the parameters, return the problems found. */
    @FunctionalInterface
    public interface Constraint {
        List<String> problems(Map<String, Object> parameters);
    }

    /**
     * Resolves parameters at load time (for example reads the {@code file} of {@code kubernetes:script}).
     * Given the parameters and the directory of the rule file, returns the parameters the actionner runs with;
     * throws {@link IllegalArgumentException} with a message naming the problem.
     */
    public interface Resolver extends BiFunction<Map<String, Object>, java.nio.file.Path, Map<String, Object>> {
    }

    private final String name;
    private final boolean defaultContinue;
    private final Map<String, ParamSpec> params;
    private final boolean openParameters;
    private final List<Constraint> constraints;
    private final Resolver resolver;
    private final String description;

    private ActionnerSpec(Builder b) {
        this.name = b.name;
        this.defaultContinue = b.defaultContinue;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.openParameters = b.openParameters;
        this.constraints = List.copyOf(b.constraints);
        this.resolver = b.resolver;
        this.description = b.description;
    }

    /** An actionner known only from its route: any parameters, {@code continue} true by default. */
    public static ActionnerSpec open(String name) {
        return builder(name).openParameters().description("route-defined actionner").build();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
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

    public String description() {
        return description;
    }

    /** Validates parameters; returns one message per problem, each starting with the parameter path. */
    public List<String> validate(Map<String, Object> parameters) {
        List<String> problems = new ArrayList<>();
        if (!openParameters) {
            for (String key : parameters.keySet()) {
                if (!params.containsKey(key)) {
                    problems.add("parameters." + key + ": unknown parameter for " + name
                            + (params.isEmpty() ? " (it takes no parameters)"
                            : " (known: " + String.join(", ", params.keySet()) + ")"));
                }
            }
        }
        for (ParamSpec p : params.values()) {
            Object v = parameters.get(p.name());
            if (v == null) {
                if (p.required() && !parameters.containsKey(p.name())) {
                    problems.add("parameters." + p.name() + ": required by " + name + " but not set");
                } else if (parameters.containsKey(p.name())) {
                    problems.add("parameters." + p.name() + ": has no value");
                }
                continue;
            }
            String problem = p.validate(v);
            if (problem != null) {
                problems.add("parameters." + p.name() + ": " + problem);
            }
        }
        if (problems.isEmpty()) {
            for (Constraint c : constraints) {
                problems.addAll(c.problems(parameters));
            }
        }
        return problems;
    }

    /**
     * The parameters the actionner runs with: the defaults of parameters a rule does not set, then the
     * {@link Resolver}; may throw {@link IllegalArgumentException}.
     */
    public Map<String, Object> resolve(Map<String, Object> parameters, java.nio.file.Path ruleFileDir) {
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
        private boolean defaultContinue = true;
        private final Map<String, ParamSpec> params = new LinkedHashMap<>();
        private boolean openParameters;
        private final List<Constraint> constraints = new ArrayList<>();
        private Resolver resolver;
        private String description = "";

        private Builder(String name) {
            this.name = name;
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

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public ActionnerSpec build() {
            return new ActionnerSpec(this);
        }
    }
}
