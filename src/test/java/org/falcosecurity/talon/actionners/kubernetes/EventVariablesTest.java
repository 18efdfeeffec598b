package org.falcosecurity.talon.actionners.kubernetes;

import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Event values for kubernetes:exec / kubernetes:script: names, and values passed as data, checked with a real sh. */
class EventVariablesTest {

    private static Event event(Map<String, String> fields) {
        return new Event("", "Terminal shell in container", Priority.parse("Notice").orElseThrow(), "o", "o", "", "syscall",
                "worker-1", List.of("container", "shell"), fields);
    }

    @Test
    void namesFollowTheOutputFieldsUpperCasedWithUnderscores() {
        assertThat(EventVariables.name("proc.cmdline")).isEqualTo("PROC_CMDLINE");
        assertThat(EventVariables.name("proc.aname[2]")).isEqualTo("PROC_ANAME_2");
        assertThat(EventVariables.name("container.image.repository")).isEqualTo("CONTAINER_IMAGE_REPOSITORY");
        assertThat(EventVariables.name("k8s.pod.label[app.kubernetes.io/name]")).isNull();
        assertThat(EventVariables.name("9lives")).isNull();
    }

    @Test
    void aContextNeverSetsAReservedVariableButTheNodeContextsNamesPass() {
        Event e = new Event("", "r", Priority.parse("Notice").orElseThrow(), "o", "o", "", "syscall", "worker-1",
                List.of(), Map.of(), "", Map.of("node.options", "--require /tmp/evil.js", "ld_preload", "/tmp/x.so",
                "path", "/tmp", "node.role", "worker", "node.topology.zone", "eu-west-1a"));
        assertThat(EventVariables.of(e)).doesNotContainKeys("NODE_OPTIONS", "LD_PRELOAD", "PATH")
                .containsEntry("NODE_ROLE", "worker").containsEntry("NODE_TOPOLOGY_ZONE", "eu-west-1a");
    }

    @Test
    void theEventsContextGivesVariablesToo() throws Exception {
        Event e = new Event("", "r", Priority.parse("Notice").orElseThrow(), "o", "o", "", "syscall", "worker-1",
                List.of(), Map.of("fd.name", "/etc/shadow"), "", Map.of("node.hostname", "worker-1.example",
                "falco-talon.rule", "not a shell name", "RULE", "cannot override"));
        Map<String, String> v = EventVariables.of(e);
        assertThat(v).containsEntry("FD_NAME", "/etc/shadow").containsEntry("NODE_HOSTNAME", "worker-1.example")
                .containsEntry("RULE", "r").doesNotContainKey("FALCO-TALON_RULE");
        // passed as data like the others: the value is an argument, not part of the script, and the shell sees it
        List<String> argv = EventVariables.argv("/bin/sh", "printf '%s|' \"$NODE_HOSTNAME\" \"$RULE\" \"$#\"", e);
        assertThat(argv.get(argv.indexOf("-c") + 1)).doesNotContain("worker-1.example");
        assertThat(run(argv)).isEqualTo("worker-1.example|r|0|");
    }

    @Test
    void ruleLevelVariables() {
        Map<String, String> v = EventVariables.of(event(Map.of("proc.name", "sh")));
        assertThat(v).containsEntry("PROC_NAME", "sh").containsEntry("RULE", "Terminal shell in container")
                .containsEntry("PRIORITY", "Notice").containsEntry("HOSTNAME", "worker-1")
                .containsEntry("SOURCE", "syscall").containsEntry("TAGS", "container,shell");
    }

    /** Runs an argument vector with this machine's shell and returns what it printed. */
    private static String run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void onlyTheMentionedVariablesArePassed() throws Exception {
        Event e = event(Map.of("proc.name", "sh", "proc.cmdline", "secret stuff"));
        // PATH is mentioned but is no event variable: the shell's own; PROC_CMDLINE is not mentioned
        List<String> argv = EventVariables.argv("/bin/sh",
                "printf '%s|' ${PROC_NAME} \"$RULE\" \"$PATH\"; echo; env", e);
        assertThat(argv).noneMatch(a -> a.contains("secret stuff"));
        String out = run(argv);
        String[] lines = out.split("\n", 2);
        assertThat(lines[0]).isEqualTo("sh|Terminal shell in container|" + System.getenv("PATH") + "|");
        List<String> env = lines[1].lines().toList();
        assertThat(env).contains("PROC_NAME=sh", "RULE=Terminal shell in container")
                .noneMatch(l -> l.startsWith("PROC_CMDLINE=")).noneMatch(l -> l.contains("secret stuff"));
        // a command that mentions no variable runs as it is, with nothing around it
        assertThat(EventVariables.argv("/bin/sh", "ps ax", event(Map.of()))).containsExactly("/bin/sh", "-c", "ps ax");
    }

    /** The argument vector, run by this machine's sh: the values come out verbatim and nothing in them runs. */
    @Test
    void aRealShellTreatsTheValuesAsData(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned");
        String hostile = "x'; touch " + marker + "; echo '\" $(touch " + marker + ") `touch " + marker + "` ${HOME}\n;"
                + " rm -rf /nonexistent-talon-test";
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("proc.cmdline", hostile);
        for (int i = 0; i < 12; i++) {
            fields.put("f.n" + i, "v" + i);
        }
        String command = "printf '%s|' \"$PROC_CMDLINE\" \"${F_N10}\" \"$RULE\"; printf '%s' \"$#\"";
        List<String> argv = EventVariables.argv("/bin/sh", command, event(fields));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo(hostile + "|v10|Terminal shell in container|0");
        assertThat(Files.exists(marker)).isFalse();
        // the variables are exported: child processes see them too
        Process child = new ProcessBuilder(EventVariables.argv("/bin/sh", "sh -c 'printf %s \"$PROC_CMDLINE\"'",
                event(Map.of("proc.cmdline", "a;b")))).start();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a;b");
    }

    @Test
    void expandReplacesBothFormsAndUnknownNamesByNothingKeepingShellCharacters() {
        Event e = event(Map.of("fd.name", "/tmp/x; rm -rf $(id)"));
        assertThat(EventVariables.expand("${FD_NAME}", e)).isEqualTo("/tmp/x; rm -rf $(id)");
        assertThat(EventVariables.expand("$FD_NAME.bak", e)).isEqualTo("/tmp/x; rm -rf $(id).bak");
        assertThat(EventVariables.expand("/var/$NOPE/a", e)).isEqualTo("/var//a");
    }

    /**
     * Item 6 of "secure by default": output fields named like the shell's or the loader's own variables never set them;
     * the command (a real sh) sees its own values, and the skipped fields are logged.
     */
    @Test
    void fieldsNamedLikeTheShellsOwnVariablesNeverSetThem() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String f : List.of("path", "home", "ifs", "shell", "env", "bash_env", "ps4", "ld_preload",
                "ld.library.path", "lc_all", "bash_func_x", "pythonpath", "proc.name")) {
            fields.put(f, "/tmp/evil-" + f);
        }
        Map<String, String> vars = EventVariables.of(event(fields));
        assertThat(vars).containsEntry("PROC_NAME", "/tmp/evil-proc.name").doesNotContainKeys("PATH", "HOME", "IFS",
                "SHELL", "ENV", "BASH_ENV", "PS4", "LD_PRELOAD", "LD_LIBRARY_PATH", "LC_ALL", "BASH_FUNC_X",
                "PYTHONPATH");
        String command = "printf '%s|' \"$PATH\" \"$HOME\" \"$LD_PRELOAD\" \"$LD_LIBRARY_PATH\" \"$BASH_ENV\""
                + " \"$PROC_NAME\"; printf '[%s]' \"$IFS\"";
        List<String> argv;
        try (org.falcosecurity.talon.support.LogCapture logs = org.falcosecurity.talon.support.LogCapture.openAtInfo()) {
            argv = EventVariables.argv("/bin/sh", command, event(fields));
            assertThat(logs.lines()).anyMatch(l -> l.contains("not passed to the command") && l.contains("path")
                    && l.contains("ld_preload") && l.contains("ld.library.path") && !l.contains("/tmp/evil"));
        }
        assertThat(String.join(" ", argv)).doesNotContain("/tmp/evil-path").doesNotContain("/tmp/evil-ld_preload");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("HOME", "/home/pod-user");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("/usr/bin:/bin|/home/pod-user||||/tmp/evil-proc.name|[ \t\n]");
    }

    @Test
    void theReservedNamesAreTheShellsTheLoadersAndRuntimes() {
        for (String n : List.of("PATH", "HOME", "IFS", "SHELL", "ENV", "BASH_ENV", "PS4", "LD_PRELOAD", "LD_AUDIT",
                "DYLD_INSERT_LIBRARIES", "BASH_FUNC_X", "LC_ALL", "LANG", "TZ", "PYTHONPATH", "NODE_OPTIONS",
                "JAVA_TOOL_OPTIONS", "GIT_SSH_COMMAND", "HTTP_PROXY", "KUBECONFIG", "_")) {
            assertThat(EventVariables.reserved(n)).as(n).isTrue();
        }
        for (String n : List.of("PROC_CMDLINE", "K8S_POD_NAME", "CONTAINER_ID", "FD_NAME", "USER_NAME", "EVT_TYPE")) {
            assertThat(EventVariables.reserved(n)).as(n).isFalse();
        }
    }
}
