package org.falcosecurity.talon.actionners.kubernetes;

import org.falcosecurity.talon.rules.Event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event values {@code kubernetes:exec} and {@code kubernetes:script} give the command: one variable per output
 * field ({@code proc.cmdline} → {@code PROC_CMDLINE}: upper case, {@code .} and {@code [} become {@code _},
 * {@code ]} is dropped), one per entry of the event's {@code context} (named the same way), plus {@code RULE}, {@code PRIORITY}, {@code HOSTNAME}, {@code SOURCE} and {@code TAGS}
 * (comma-separated).
 *
 * <p>Values are data, never code: {@link #argv} runs {@code <shell> -c '<prelude>; <command>' falco-talon v1 v2 ...}
 * where the prelude only copies the positional parameters into the named variables
 * ({@code export PROC_CMDLINE="$1" RULE="$2"; set --}). The command text is the rule author's; the event values
 * travel as separate exec arguments, so a value such as {@code ; rm -rf /} reaches {@code ${PROC_CMDLINE}}
 * verbatim and is never parsed by the shell. Nothing goes through Talon's own environment. Only the variables the
 * command mentions are passed.
 *
 * <p>Reserved names: an output field never becomes a variable the shell, the dynamic loader or a common runtime reads
 * for itself ({@link #RESERVED}: {@code PATH}, {@code HOME}, {@code IFS}, {@code SHELL}, {@code ENV},
 * {@code BASH_ENV}, {@code PS4}, ...; and every name starting with one of {@link #RESERVED_PREFIXES}: {@code LD_*},
 * {@code BASH_*}, {@code LC_*}, ...). Such a field is skipped, with a warning, and the command sees the pod's own
 * value. Falco's fields ({@code proc.*}, {@code k8s.*}, {@code container.*}, {@code fd.*}, {@code user.*}, ...)
 * never map to one; a sender adding {@code "path": "/tmp/x"} to the output fields gets nowhere.
 */
public final class EventVariables {

    /** {@code $NAME} or {@code ${NAME}} in a command. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern NAME = Pattern.compile("^[A-Z_][A-Z0-9_]*$");
    /** $0 of the shell: shows in its error messages. */
    static final String SCRIPT_NAME = "falco-talon";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("falco-talon.actionners");

    /** Variables of the shell, the loader and common runtimes that no output field may set. */
    public static final Set<String> RESERVED = Set.of("PATH", "HOME", "IFS", "SHELL", "ENV", "BASH_ENV", "PS1", "PS2",
            "PS3", "PS4", "PROMPT_COMMAND", "CDPATH", "PWD", "OLDPWD", "USER", "LOGNAME", "UID", "EUID", "PPID",
            "GROUPS", "TERM", "TMPDIR", "TZ", "TZDIR", "LANG", "LANGUAGE", "NLSPATH", "GLOBIGNORE", "SHELLOPTS",
            "BASHOPTS", "POSIXLY_CORRECT", "HISTFILE", "MAIL", "MAILPATH", "OPTIND", "OPTARG", "FPATH", "EDITOR",
            "VISUAL", "PAGER", "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "GCONV_PATH", "SSL_CERT_FILE",
            "SSL_CERT_DIR", "CURL_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "FTP_PROXY",
            "KUBECONFIG", "_");
    /** Prefixes of reserved names: the loader's ({@code LD_}, {@code DYLD_}), the shell's, glibc's, runtimes'. */
    public static final List<String> RESERVED_PREFIXES = List.of("LD_", "DYLD_", "BASH_", "LC_", "MALLOC_", "GLIBC_",
            "PYTHON", "PERL", "RUBY", "NODE_", "JAVA_", "_JAVA_", "JDK_", "GIT_");

    /**
     * The variables of upstream's {@code k8snode} context ({@code node.hostname} ...): they start with {@code NODE_},
     * reserved for Node.js, but are none of Node.js' own, so a context (the event's or an additional one) may set them.
     */
    static final Set<String> NODE_CONTEXT = Set.of("NODE_HOSTNAME", "NODE_INSTANCETYPE", "NODE_ROLE",
            "NODE_TOPOLOGY_REGION", "NODE_TOPOLOGY_ZONE", "NODE_SPEC_PROVIDERID");

    /** Whether an output field may not become this variable. */
    public static boolean reserved(String name) {
        return RESERVED.contains(name) || RESERVED_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private EventVariables() {
    }

    /** Every variable the event provides, by name (reserved names left out). */
    public static Map<String, String> of(Event event) {
        return of(event, null);
    }

    /**
     * The same, with {@code context} (the {@code TalonContext} header: the event's context plus the action's
     * additional contexts, {@code node.hostname} → {@code NODE_HOSTNAME}) in place of the event's own context.
     */
    public static Map<String, String> of(Event event, Map<String, String> context) {
        Map<String, String> vars = new LinkedHashMap<>();
        event.outputFields().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String name = name(e.getKey());
            if (name != null && !reserved(name)) {
                vars.put(name, e.getValue());
            }
        });
        // the event's context next (as upstream exports it after the output fields)
        Map<String, String> ctx = context == null ? event.context() : context;
        ctx.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String name = name(e.getKey());
            if (name != null && (!reserved(name) || NODE_CONTEXT.contains(name))) {
                vars.put(name, e.getValue());
            }
        });
        vars.put("RULE", event.rule());
        vars.put("PRIORITY", event.priority().displayName());
        vars.put("HOSTNAME", event.hostname());
        vars.put("SOURCE", event.source());
        vars.put("TAGS", String.join(",", event.tags()));
        return vars;
    }

    /** {@code $NAME} or {@code ${NAME}} in a parameter that is expanded as text. */
    private static final Pattern EXPANSION = Pattern.compile(
            "\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

    /**
     * {@code text} with {@code $NAME} and {@code ${NAME}} replaced by the event's variables (see {@link #of}), an
     * unknown name by nothing, as upstream expands the download actionner's {@code file}. The result is data (an
     * argument of a command), never shell text.
     */
    public static String expand(String text, Event event) {
        Map<String, String> vars = of(event);
        Matcher m = EXPANSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(vars.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The variable name of an output field, or {@code null} when it does not make a shell variable name. */
    static String name(String field) {
        String n = field.toUpperCase(Locale.ROOT).replace('.', '_').replace('[', '_').replace("]", "");
        return NAME.matcher(n).matches() ? n : null;
    }

    /** The output fields whose (reserved) variable the command mentions: they are not passed. */
    static List<String> skippedFields(String command, Event event) {
        Set<String> mentioned = new LinkedHashSet<>();
        Matcher m = REFERENCE.matcher(command);
        while (m.find()) {
            mentioned.add(m.group(1));
        }
        List<String> out = new ArrayList<>();
        for (String field : event.outputFields().keySet()) {
            String n = name(field);
            if (n != null && reserved(n) && mentioned.contains(n)) {
                out.add(field.length() > 64 ? field.substring(0, 64) + "…" : field);
            }
        }
        out.sort(null);
        return out;
    }

    /** The variables among {@code available} that {@code command} mentions, in order of first mention. */
    static Map<String, String> referenced(String command, Map<String, String> available) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = REFERENCE.matcher(command);
        while (m.find()) {
            names.add(m.group(1));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            if (available.containsKey(n)) {
                out.put(n, available.get(n));
            }
        }
        return out;
    }

    /** The exec argument vector: the shell runs the command with the variables it mentions set from the event. */
    public static List<String> argv(String shell, String command, Event event) {
        return argv(shell, command, event, null);
    }

    /** The same, with the variables of {@code context} ({@link #of(Event, Map)}). */
    public static List<String> argv(String shell, String command, Event event, Map<String, String> context) {
        Map<String, String> vars = referenced(command, of(event, context));
        List<String> skipped = skippedFields(command, event);
        if (!skipped.isEmpty()) {
            LOG.warn("output field(s) {} of the event of rule '{}' not passed to the command: their variable names are"
                    + " reserved (the command sees the pod's own values)", skipped, event.rule());
        }
        List<String> argv = new ArrayList<>();
        argv.add(shell);
        argv.add("-c");
        if (vars.isEmpty()) {
            argv.add(command);
            return argv;
        }
        StringBuilder prelude = new StringBuilder("export");
        int i = 1;
        for (String name : vars.keySet()) {
            // only names matching [A-Z_][A-Z0-9_]* and parameter numbers are ever written into the shell text
            prelude.append(' ').append(name).append("=\"${").append(i++).append("}\"");
        }
        prelude.append("; set --\n");
        argv.add(prelude + command);
        argv.add(SCRIPT_NAME);
        argv.addAll(vars.values());
        return argv;
    }
}
