package org.falcosecurity.talon.catalog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The declaration of an artifact output target ({@code <category>:<name>}, a route consuming
 * {@code direct:output-<category>-<name>}): the parameters an action's {@code output.parameters} may set, and an
 * example. A target added as a route only ({@link #open}) accepts any parameters.
 */
public final class OutputSpec {

    private final String name;
    private final String description;
    private final Map<String, ParamSpec> params;
    private final boolean openParameters;
    private final String example;

    private OutputSpec(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.openParameters = b.openParameters;
        this.example = b.example;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static OutputSpec open(String name) {
        Builder b = builder(name).description("route-defined output target");
        b.openParameters = true;
        return b.build();
    }

    public String name() {
        return name;
    }

    public String category() {
        return name.substring(0, name.indexOf(':'));
    }

    public String description() {
        return description;
    }

    public Map<String, ParamSpec> params() {
        return params;
    }

    public boolean openParameters() {
        return openParameters;
    }

    public String example() {
        return example;
    }

    /** The given parameters it does not declare (none for an open target). */
    public List<String> unknownParameters(Map<String, Object> parameters) {
        return ParamSpec.unknown(parameters, params, openParameters);
    }

    /** Validates an output's parameters; fields are {@code output.parameters.<name>}. */
    public List<Problem> validate(Map<String, Object> parameters) {
        return ParamSpec.validateAll(parameters, params, openParameters, "output.parameters.", "output " + name,
                "missing parameters for the output " + name);
    }

    public static final class Builder {
        private final String name;
        private String description = "";
        private final Map<String, ParamSpec> params = new LinkedHashMap<>();
        private boolean openParameters;
        private String example = "";

        private Builder(String name) {
            if (!Catalog.ACTIONNER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an output target name: " + name);
            }
            this.name = name;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public Builder param(ParamSpec p) {
            params.put(p.name(), p);
            return this;
        }

        public Builder example(String yaml) {
            this.example = yaml;
            return this;
        }

        public OutputSpec build() {
            return new OutputSpec(this);
        }
    }
}
