package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * kubernetes:exec and kubernetes:script through the running Talon. The simulator answers an exec only when the
 * request carries exactly the expected command arguments, so every answered exec proves the argument vector.
 */
class ExecActionnersSimulatorTest {

    /** The script kubernetes:script reads from a file (rule script-file), created before Talon starts. */
    private static final Path SCRIPT_FILE = scriptFile();

    private static final String RULES = """
            - rule: exec
              match: {rules: [exec]}
              actions:
                - action: e
                  actionner: kubernetes:exec
                  parameters: {command: 'echo "$PROC_CMDLINE" ${RULE} $UNKNOWN_VAR'}
            - rule: exec-plain
              match: {rules: [exec-plain]}
              actions: [{action: e, actionner: kubernetes:exec, parameters: {command: "ps ax"}}]
            - rule: exec-options
              match: {rules: [exec-options]}
              actions:
                - action: e
                  actionner: kubernetes:exec
                  parameters: {command: "id", shell: /bin/bash, container: sidecar}
            - rule: exec-all-vars
              match: {rules: [exec-all-vars]}
              actions:
                - action: e
                  actionner: kubernetes:exec
                  parameters: {command: 'echo ${PRIORITY} ${HOSTNAME} ${SOURCE} ${TAGS} ${PROC_ANAME_2} ${RULE}'}
            - rule: exec-node-context
              match: {rules: [exec-node-context]}
              actions:
                - action: e
                  actionner: kubernetes:exec
                  additional_contexts: [k8snode]
                  parameters: {command: 'echo "$NODE_HOSTNAME" $NODE_INSTANCETYPE $NODE_ROLE $NODE_TOPOLOGY_ZONE'}
            - rule: script
              match: {rules: [script]}
              actions:
                - action: s
                  actionner: kubernetes:script
                  parameters:
                    script: |
                      ps ax
                      echo "$K8S_POD_NAME"
            - rule: script-file
              match: {rules: [script-file]}
              actions:
                - action: s
                  actionner: kubernetes:script
                  parameters: {file: "%s", shell: /bin/bash, container: sidecar}
            """.formatted(SCRIPT_FILE.toAbsolutePath());

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud()
            .withTalon(b -> b.rules(RULES)
                    .property("talon.kubernetes.exec-timeout-seconds", "5")
                    .property("talon.kubernetes.max-output-bytes", "2048"))
            .resetBeforeEach();

    private static Path scriptFile() {
        try {
            Path f = Files.createTempFile("talon-script", ".sh");
            Files.writeString(f, "#!/bin/sh\nps ax\necho \"$RULE\"\n");
            return f;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void deleteScript() throws Exception {
        Files.deleteIfExists(SCRIPT_FILE);
    }

    /** The exec request path fabric8 sends for this argument vector. */
    static String execPath(String ns, String pod, String container, List<String> argv) {
        StringBuilder b = new StringBuilder("/api/v1/namespaces/").append(ns).append("/pods/").append(pod)
                .append("/exec?");
        for (String a : argv) {
            b.append("command=").append(URLEncoder.encode(a, StandardCharsets.UTF_8).replace("+", "%20"))
                    .append('&');
        }
        return b.append("container=").append(container).append("&stdout=true&stderr=true").toString();
    }

    private static void expectExec(String pod, String container, List<String> argv, String stdout) {
        expectExec(pod, container, argv, new OutputStreamMessage(stdout), new StatusStreamMessage(0));
    }

    /**
     * An exec the simulator answers with these messages. The session then waits for a message Talon never sends,
     * so the simulator does not close the stream before Talon has read the exit status (a race that otherwise
     * drops it now and then); Talon closes the stream itself once the command has exited.
     */
    private static void expectExec(String pod, String container, List<String> argv, Object... messages) {
        k8s.server().expect().get().withPath(execPath("default", pod, container, argv)).andUpgradeToWebSocket()
                .open(messages).expect("never sent").andEmit(new StatusStreamMessage(0)).always().done().always();
    }

    @Test
    void eventValuesArriveAsSeparateArgumentsNeverAsShellText() throws Exception {
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        String hostile = "sh -c 'id'; rm -rf / && echo \"$(touch /tmp/pwned)\" `reboot` $HOME";
        expectExec("web-1", "main", List.of("/bin/sh", "-c",
                "export PROC_CMDLINE=\"${1}\" RULE=\"${2}\"; set --\necho \"$PROC_CMDLINE\" ${RULE} $UNKNOWN_VAR",
                "falco-talon", hostile, "exec"), "ran\n");
        ActionResult r = run(k8s.talon(), "exec", podFields("default", "web-1", "proc.cmdline", hostile));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("ran\n");
        assertThat(r.getObjects()).containsEntry("pod", "web-1").containsEntry("container", "main");
    }

    @Test
    void theK8snodeContextGivesTheNodesValuesAsVariablesAndIsShownInTheResult() throws Exception {
        K8s.pod(k8s.client(), "default", "web-13", Map.of(), null);
        k8s.client().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("node-1")
                .addToLabels("kubernetes.io/hostname", "ip-10-0-1-7").addToLabels("node.kubernetes.io/instance-type",
                        "m5.large").addToLabels("node-role.kubernetes.io/worker", "")
                .addToLabels("topology.kubernetes.io/zone", "eu-west-1b").endMetadata().withNewSpec()
                .withProviderID("aws:///eu-west-1b/i-0abc").endSpec().build()).create();
        expectExec("web-13", "main", List.of("/bin/sh", "-c",
                "export NODE_HOSTNAME=\"${1}\" NODE_INSTANCETYPE=\"${2}\" NODE_ROLE=\"${3}\" NODE_TOPOLOGY_ZONE=\"${4}\";"
                        + " set --\necho \"$NODE_HOSTNAME\" $NODE_INSTANCETYPE $NODE_ROLE $NODE_TOPOLOGY_ZONE",
                "falco-talon", "ip-10-0-1-7", "m5.large", "worker", "eu-west-1b"), "ok\n");
        ActionResult r = run(k8s.talon(), "exec-node-context", podFields("default", "web-13"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getContext()).containsEntry("node.hostname", "ip-10-0-1-7")
                .containsEntry("node.spec.providerid", "aws:///eu-west-1b/i-0abc")
                .containsEntry("node.topology.region", "");
    }

    @Test
    void aContextThatCannotBeLookedUpFailsTheActionBeforeItRuns() throws Exception {
        // the pod runs on node-1, which does not exist here: no exec is attempted (none is expected)
        K8s.pod(k8s.client(), "default", "web-14", Map.of(), null);
        ActionResult r = run(k8s.talon(), "exec-node-context", podFields("default", "web-14"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("additional context k8snode: node node-1 (of pod default/web-14) not found");
    }

    @Test
    void aCommandWithoutVariablesIsPassedAsIs() throws Exception {
        K8s.pod(k8s.client(), "default", "web-2", Map.of(), null);
        expectExec("web-2", "main", List.of("/bin/sh", "-c", "ps ax"), "PID TTY\n1 ?\n");
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-2"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("PID TTY\n1 ?\n");
    }

    @Test
    void shellAndContainerParameters() throws Exception {
        K8s.pod(k8s.client(), "default", "web-3", Map.of(), null, "main", "sidecar");
        expectExec("web-3", "sidecar", List.of("/bin/bash", "-c", "id"), "uid=0(root)\n");
        ActionResult r = run(k8s.talon(), "exec-options", podFields("default", "web-3"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("uid=0(root)\n");
        assertThat(r.getObjects()).containsEntry("container", "sidecar");
    }

    @Test
    void anUnknownContainerIsAFailureListingThePodsContainers() throws Exception {
        K8s.pod(k8s.client(), "default", "web-4", Map.of(), null, "main", "proxy");
        ActionResult r = run(k8s.talon(), "exec-options", podFields("default", "web-4"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("container 'sidecar' not found in pod default/web-4 (containers: main,"
                + " proxy)");
    }

    @Test
    void withoutContainerTheDefaultContainerAnnotationWins() throws Exception {
        k8s.client().resource(K8s.podBuilder("default", "web-5", Map.of(), "init-like", "app").editMetadata()
                .addToAnnotations("kubectl.kubernetes.io/default-container", "app").endMetadata().build()).create();
        expectExec("web-5", "app", List.of("/bin/sh", "-c", "ps ax"), "ok\n");
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-5"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getObjects()).containsEntry("container", "app");
    }

    @Test
    void ruleAndEventVariablesAreAllAvailable() throws Exception {
        K8s.pod(k8s.client(), "default", "web-6", Map.of(), null);
        expectExec("web-6", "main", List.of("/bin/sh", "-c",
                "export PRIORITY=\"${1}\" HOSTNAME=\"${2}\" SOURCE=\"${3}\" TAGS=\"${4}\" PROC_ANAME_2=\"${5}\""
                        + " RULE=\"${6}\"; set --\necho ${PRIORITY} ${HOSTNAME} ${SOURCE} ${TAGS} ${PROC_ANAME_2} ${RULE}",
                "falco-talon", "Critical", "node-1", "syscall", "container,mitre_execution", "containerd",
                "exec-all-vars"), "vars\n");
        ActionResult r = run(k8s.talon(), "exec-all-vars",
                podFields("default", "web-6", "proc.aname[2]", "containerd"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("vars\n");
    }

    @Test
    void standardErrorIsReportedAfterTheOutput() throws Exception {
        K8s.pod(k8s.client(), "default", "web-7", Map.of(), null);
        expectExec("web-7", "main", List.of("/bin/sh", "-c", "ps ax"), new OutputStreamMessage("out\n"),
                new ErrorStreamMessage("warn\n"), new StatusStreamMessage(0));
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-7"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("out\n[stderr]\nwarn\n");
    }

    @Test
    void aNonZeroExitCodeIsAFailureWithTheOutput() throws Exception {
        K8s.pod(k8s.client(), "default", "web-12", Map.of(), null);
        expectExec("web-12", "main", List.of("/bin/sh", "-c", "ps ax"), new OutputStreamMessage("partial\n"),
                new ErrorStreamMessage("ps: not found\n"), new StatusStreamMessage(127));
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-12"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("the command exited with code 127 in container main of pod default/web-12");
        assertThat(r.getOutput()).isEqualTo("partial\n[stderr]\nps: not found\n");
        assertThat(r.getObjects()).containsEntry("container", "main");
    }

    @Test
    void aStreamClosedWithoutExitStatusIsASuccessThatSaysSo() throws Exception {
        K8s.pod(k8s.client(), "default", "web-13", Map.of(), null);
        k8s.server().expect().get().withPath(execPath("default", "web-13", "main", List.of("/bin/sh", "-c", "ps ax")))
                .andUpgradeToWebSocket().open(new OutputStreamMessage("out\n")).done().always();
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-13"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("out\n\n[no exit status received]");
    }

    @Test
    void outputIsBoundedAndTheTruncationIsStated() throws Exception {
        K8s.pod(k8s.client(), "default", "web-8", Map.of(), null);
        expectExec("web-8", "main", List.of("/bin/sh", "-c", "ps ax"), "x".repeat(5000));
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-8"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("x".repeat(2048) + "\n[truncated: kept the first 2048 of 5000 bytes]");
    }

    @Test
    void aCommandStillRunningAfterTheTimeoutIsAFailure() throws Exception {
        K8s.pod(k8s.client(), "default", "web-9", Map.of(), null);
        k8s.server().expect().get().withPath(execPath("default", "web-9", "main", List.of("/bin/sh", "-c", "ps ax")))
                                // the session waits for a message Talon never sends, so the command never ends
                .andUpgradeToWebSocket().open(new OutputStreamMessage("started\n"))
                .expect("never sent").andEmit(new StatusStreamMessage(0)).always().done().always();
        ActionResult r = run(k8s.talon(), "exec-plain", podFields("default", "web-9"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("the command did not finish within 5 s in container main of pod"
                + " default/web-9");
        assertThat(r.getOutput()).isEqualTo("started\n");
    }

    @Test
    void runsAnInlineScriptWithItsVariables() throws Exception {
        K8s.pod(k8s.client(), "default", "web-10", Map.of(), null);
        expectExec("web-10", "main", List.of("/bin/sh", "-c",
                "export K8S_POD_NAME=\"${1}\"; set --\nps ax\necho \"$K8S_POD_NAME\"\n", "falco-talon", "web-10"),
                "script ran\n");
        ActionResult r = run(k8s.talon(), "script", podFields("default", "web-10"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("script ran\n");
    }

    @Test
    void runsAScriptFileReadWhenTheRulesLoadedWithShellAndContainer() throws Exception {
        K8s.pod(k8s.client(), "default", "web-11", Map.of(), null, "main", "sidecar");
        expectExec("web-11", "sidecar", List.of("/bin/bash", "-c",
                "export RULE=\"${1}\"; set --\n#!/bin/sh\nps ax\necho \"$RULE\"\n", "falco-talon", "script-file"),
                "file ran\n");
        ActionResult r = run(k8s.talon(), "script-file", podFields("default", "web-11"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("file ran\n");
    }

    @Test
    void missingPodAndFieldsAreFailures() throws Exception {
        for (String rule : List.of("exec", "script")) {
            assertThat(run(k8s.talon(), rule, podFields("default", "absent")).getError())
                    .isEqualTo("pod absent not found in namespace default");
            assertThat(run(k8s.talon(), rule, Map.of("k8s.ns.name", "default")).getError())
                    .contains("missing field k8s.pod.name");
        }
    }
}
