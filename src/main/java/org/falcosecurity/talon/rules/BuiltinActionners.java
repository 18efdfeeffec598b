package org.falcosecurity.talon.rules;

import static org.falcosecurity.talon.rules.ParamSpec.Type.BOOLEAN;
import static org.falcosecurity.talon.rules.ParamSpec.Type.INTEGER;
import static org.falcosecurity.talon.rules.ParamSpec.Type.INTEGER_OR_STRING;
import static org.falcosecurity.talon.rules.ParamSpec.Type.STRING;
import static org.falcosecurity.talon.rules.ParamSpec.Type.STRING_LIST;
import static org.falcosecurity.talon.rules.ParamSpec.Type.STRING_MAP;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameter contracts of the built-in actionners. Their behaviour lives in routes
 * ({@code routes/actionners-kubernetes.camel.yaml}); this class only says what a rule may pass them.
 */
public final class BuiltinActionners {

    /**
     * Largest script of {@code kubernetes:script} (inline or file). The script travels as one argument of the exec
     * call, in the API request's URL, and Linux caps one argument at 128 KiB.
     */
    public static final int MAX_SCRIPT_BYTES = 64 * 1024;
    /** Largest command of {@code kubernetes:exec}. */
    public static final int MAX_COMMAND_BYTES = 16 * 1024;
    public static final String DEFAULT_SHELL = "/bin/sh";
    public static final int DEFAULT_TAIL_LINES = 1000;

    private BuiltinActionners() {
    }

    public static Map<String, ActionnerSpec> specs() {
        Map<String, ActionnerSpec> m = new LinkedHashMap<>();
        ParamSpec level = ParamSpec.of("level", STRING).withCheck(ParamSpec.oneOf("pod", "node")).withDefault("pod");
        ParamSpec container = ParamSpec.of("container", STRING).withCheck(ParamSpec.NOT_BLANK);
        ParamSpec shell = ParamSpec.of("shell", STRING).withCheck(BuiltinActionners::shellProblem)
                .withDefault(DEFAULT_SHELL);
        ParamSpec ignoreDs = ParamSpec.of("ignore_daemonsets", BOOLEAN);
        ParamSpec ignoreSts = ParamSpec.of("ignore_statefulsets", BOOLEAN);
        ParamSpec minHealthy = ParamSpec.of("min_healthy_replicas", INTEGER_OR_STRING)
                .withCheck(ParamSpec.COUNT_OR_PERCENT);

        add(m, ActionnerSpec.builder("kubernetes:terminate")
                .description("Terminate the pod")
                .defaultContinue(false)
                .param(ParamSpec.of("grace_period_seconds", INTEGER).withCheck(ParamSpec.NON_NEGATIVE))
                .param(ignoreDs)
                .param(ignoreSts)
                .param(ParamSpec.of("ignore_standalone_pods", BOOLEAN))
                .param(minHealthy));
        for (String n : List.of("kubernetes:labelize", "kubernetes:label")) {
            add(m, ActionnerSpec.builder(n)
                    .description("Add, change or remove labels of the pod or its node")
                    .param(ParamSpec.required("labels", STRING_MAP).withCheck(ParamSpec.metadataMap("labels", true)))
                    .param(level));
        }
        add(m, ActionnerSpec.builder("kubernetes:annotation")
                .description("Add, change or remove annotations of the pod or its node")
                .param(ParamSpec.required("annotations", STRING_MAP)
                        .withCheck(ParamSpec.metadataMap("annotations", false)))
                .param(level));
        add(m, ActionnerSpec.builder("kubernetes:networkpolicy")
                .description("Deny all egress of the pod's workload, except allowed CIDRs and namespaces")
                .param(ParamSpec.of("allow", STRING_LIST).withCheck(ParamSpec.CIDRS))
                .param(ParamSpec.of("allow_cidr", STRING_LIST).withCheck(ParamSpec.CIDRS))
                .param(ParamSpec.of("allow_namespaces", STRING_LIST).withCheck(ParamSpec.NAMESPACES)));
        add(m, ActionnerSpec.builder("kubernetes:exec")
                .description("Run a command in the pod")
                .param(ParamSpec.required("command", STRING).withCheck(both(ParamSpec.NOT_BLANK,
                        ParamSpec.maxBytes(MAX_COMMAND_BYTES))))
                .param(shell)
                .param(container));
        add(m, ActionnerSpec.builder("kubernetes:script")
                .description("Run a script in the pod")
                .param(ParamSpec.of("script", STRING).withCheck(both(ParamSpec.NOT_BLANK,
                        ParamSpec.maxBytes(MAX_SCRIPT_BYTES))))
                .param(ParamSpec.of("file", STRING).withCheck(ParamSpec.NOT_BLANK))
                .param(shell)
                .param(container)
                .constraint(p -> {
                    boolean s = p.get("script") != null;
                    boolean f = p.get("file") != null;
                    if (s && f) {
                        return List.of("parameters: 'script' and 'file' are both set; set exactly one");
                    }
                    if (!s && !f) {
                        return List.of("parameters: one of 'script' or 'file' is required");
                    }
                    return List.of();
                })
                .resolver(BuiltinActionners::readScriptFile));
        add(m, ActionnerSpec.builder("kubernetes:log")
                .description("Fetch the pod's logs into the result")
                .param(ParamSpec.of("tail_lines", INTEGER).withCheck(ParamSpec.POSITIVE).withDefault(DEFAULT_TAIL_LINES))
                .param(container));
        add(m, ActionnerSpec.builder("kubernetes:delete")
                .description("Delete the Kubernetes object named by the event")
                .defaultContinue(false));
        add(m, ActionnerSpec.builder("kubernetes:cordon")
                .description("Mark the pod's node unschedulable"));
        add(m, ActionnerSpec.builder("kubernetes:drain")
                .description("Evict the pods of the pod's node")
                .param(ignoreDs)
                .param(ignoreSts)
                .param(minHealthy)
                .param(ParamSpec.of("max_wait_period", INTEGER).withCheck(ParamSpec.NON_NEGATIVE).withDefault(0)));
        return m;
    }

    private static void add(Map<String, ActionnerSpec> m, ActionnerSpec.Builder b) {
        ActionnerSpec s = b.build();
        m.put(s.name(), s);
    }

    private static ParamSpec.Check both(ParamSpec.Check a, ParamSpec.Check b) {
        return v -> {
            String p = a.problem(v);
            return p != null ? p : b.problem(v);
        };
    }

    /** The shell is one program (a path or a name), run as {@code <shell> -c <command>}. */
    private static String shellProblem(Object v) {
        String s = (String) v;
        if (s.isBlank()) {
            return "must not be empty";
        }
        return s.chars().anyMatch(Character::isWhitespace)
                ? "must be a single program such as /bin/bash (no spaces or arguments), got '" + s + "'" : null;
    }

    /** Reads {@code file} (relative to the rule file's directory) into {@code script}. */
    private static Map<String, Object> readScriptFile(Map<String, Object> params, Path ruleDir) {
        Object file = params.get("file");
        if (!(file instanceof String f)) {
            return params;
        }
        Path p = Path.of(f);
        if (!p.isAbsolute() && ruleDir != null) {
            p = ruleDir.resolve(p);
        }
        try {
            if (Files.size(p) > MAX_SCRIPT_BYTES) {
                throw new IllegalArgumentException("parameters.file: '" + f + "' is larger than "
                        + MAX_SCRIPT_BYTES + " bytes");
            }
            String script = Files.readString(p);
            if (script.isBlank()) {
                throw new IllegalArgumentException("parameters.file: '" + f + "' is empty");
            }
            Map<String, Object> out = new LinkedHashMap<>(params);
            out.put("script", script);
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("parameters.file: cannot read '" + f + "' ("
                    + p.toAbsolutePath() + "): " + e.getClass().getSimpleName());
        }
    }

    /** Names of the built-in actionners, for documentation and error messages. */
    public static List<String> names() {
        return new ArrayList<>(specs().keySet());
    }
}
