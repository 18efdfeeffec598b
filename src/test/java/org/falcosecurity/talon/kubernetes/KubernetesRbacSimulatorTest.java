package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * kubernetes/rbac.yaml against the code: the ClusterRole grants exactly the permissions the built-ins' declarations
 * list, and every actionner, run through Talon against the API simulator, makes only calls of that list (and,
 * between them, every call of the list the simulator can observe).
 */
class KubernetesRbacSimulatorTest {

    private static final String TALON_AGENT = "falco-talon-under-test";
    /**
     * Calls the simulator cannot show: WebSocket exec arrives as a GET (API servers from 1.30 on authorize it as
     * create), and the client only watches a pod that is not ready, racing its own zero timeout.
     */
    private static final Set<String> NOT_OBSERVABLE = Set.of("/pods/exec:create", "/pods:watch");

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();

    /** The ClusterRole of the plain manifests, and those of the components for the CNI policy actionners. */
    static final List<Path> RBAC = List.of(Path.of("kubernetes", "rbac.yaml"),
            Path.of("kubernetes", "calico", "rbac.yaml"), Path.of("kubernetes", "cilium", "rbac.yaml"));

    static Set<String> granted() throws Exception {
        Set<String> out = new TreeSet<>();
        for (Path file : RBAC) {
            try (InputStream in = Files.newInputStream(file); KubernetesClient offline = new KubernetesClientBuilder()
                    .build()) {
                List<HasMetadata> docs = offline.load(in).items();
                ClusterRole role = docs.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                        .findFirst().orElseThrow();
                for (PolicyRule r : role.getRules()) {
                    for (String g : r.getApiGroups()) {
                        for (String res : r.getResources()) {
                            for (String v : r.getVerbs()) {
                                out.add(g + "/" + res + ":" + v);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Every permission a built-in declares, with the built-ins that need it. */
    static Map<String, Set<String>> declared() {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        Declarations d = Builtins.declarations();
        d.actionners().forEach(a -> a.permissions().forEach(p -> out.computeIfAbsent(p.key(),
                k -> new TreeSet<>()).add(a.name())));
        d.notifiers().forEach(n -> n.permissions().forEach(p -> out.computeIfAbsent(p.key(),
                k -> new TreeSet<>()).add(n.name())));
        return out;
    }

    static Set<String> listed() {
        return new TreeSet<>(declared().keySet());
    }

    @Test
    void theClusterRoleGrantsExactlyTheListedCalls() throws Exception {
        assertThat(granted()).isEqualTo(listed());
    }

    @Test
    void theBindingNamesTheClusterRoleAndAServiceAccount() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("kubernetes", "serviceaccount.yaml"));
             KubernetesClient offline = new KubernetesClientBuilder().build()) {
            ClusterRoleBinding b = offline.load(in).items().stream().filter(ClusterRoleBinding.class::isInstance)
                    .map(ClusterRoleBinding.class::cast).findFirst().orElseThrow();
            assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(b.getRoleRef().getName()).isEqualTo("falco-talon");
            assertThat(b.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo("falco-talon");
                // kustomization.yaml sets the namespace of the deployment (and of this subject)
            });
        }
    }

    @Test
    void everyRuleNamesTheActionnersThatNeedIt() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path file : RBAC) {
            all.append(Files.readString(file));
        }
        String text = all.toString();
        declared().forEach((permission, needers) -> {
            for (String needer : needers) {
                assertThat(text).as("rbac.yaml names %s (needs %s)", needer, permission).contains(needer);
            }
        });
    }

    /** {@code group/resource[/subresource]:verb} of a recorded request, as RBAC authorizes it. */
    static String permission(RecordedRequest r) {
        URI u = URI.create(r.getPath());
        List<String> seg = Arrays.stream(u.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (seg.get(0).equals("api")) {
            group = "";
            rest = seg.subList(2, seg.size());
        } else {
            group = seg.get(1);
            rest = seg.subList(3, seg.size());
        }
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() > 1;
        String query = u.getQuery() == null ? "" : u.getQuery();
        String verb = switch (r.getMethod()) {
            case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> r.getMethod();
        };
        return group + "/" + resource + ":" + verb;
    }

    private static final String RULES = """
            - rule: terminate
              match: {rules: [terminate]}
              actions: [{action: a, actionner: kubernetes:terminate, parameters: {min_healthy_replicas: 1}}]
            - rule: label
              match: {rules: [label]}
              actions: [{action: a, actionner: kubernetes:label, parameters: {labels: {a: "1"}}}]
            - rule: annotate-node
              match: {rules: [annotate-node]}
              actions: [{action: a, actionner: kubernetes:annotation, parameters: {level: node, annotations: {a: "1"}}}]
            - rule: netpol
              match: {rules: [netpol]}
              actions: [{action: a, actionner: kubernetes:networkpolicy}]
            - rule: netpol-ttl
              match: {rules: [netpol-ttl]}
              actions: [{action: a, actionner: kubernetes:networkpolicy, ttl: 1s}]
            - rule: netpol-allow
              match: {rules: [netpol-allow]}
              actions: [{action: a, actionner: kubernetes:networkpolicy, parameters: {allow_namespaces: [dns]}}]
            - rule: exec
              match: {rules: [exec]}
              actions: [{action: a, actionner: kubernetes:exec, parameters: {command: id}}]
            - rule: script
              match: {rules: [script]}
              actions: [{action: a, actionner: kubernetes:script, parameters: {script: id}}]
            - rule: log
              match: {rules: [log]}
              actions: [{action: a, actionner: kubernetes:log, parameters: {tail_lines: 5}}]
            - rule: download
              match: {rules: [download]}
              actions: [{action: a, actionner: kubernetes:download, parameters: {file: /etc/hosts},
                         output: {target: local:file, parameters: {destination: "%1$s"}}}]
            - rule: tcpdump
              match: {rules: [tcpdump]}
              actions: [{action: a, actionner: kubernetes:tcpdump, parameters: {duration: 1},
                         output: {target: local:file, parameters: {destination: "%1$s"}}}]
            - rule: sysdig
              match: {rules: [sysdig]}
              actions: [{action: a, actionner: kubernetes:sysdig, parameters: {duration: 1},
                         output: {target: local:file, parameters: {destination: "%1$s"}}}]
            - rule: delete
              match: {rules: [delete]}
              actions: [{action: a, actionner: kubernetes:delete}]
            - rule: cordon
              match: {rules: [cordon]}
              actions: [{action: a, actionner: kubernetes:cordon}]
            - rule: calico
              match: {rules: [calico]}
              actions: [{action: a, actionner: calico:networkpolicy}]
            - rule: cilium
              match: {rules: [cilium]}
              actions: [{action: a, actionner: cilium:networkpolicy}]
            - rule: drain
              match: {rules: [drain]}
              actions: [{action: a, actionner: kubernetes:drain, parameters: {min_healthy_replicas: 1, max_wait_period: 5}}]
            """;

    @Test
    void theActionnersCallOnlyWhatTheClusterRoleGrants() throws Exception {
        Map<String, String> fixtures = Map.of("app", "web");
        K8s.node(k8s.client(), "node-1");
        K8s.deployment(k8s.client(), "shop", "web", fixtures);
        K8s.replicaSet(k8s.client(), "shop", "web-1", 3, 3, fixtures, K8s.owner("Deployment", "web"));
        K8s.daemonSet(k8s.client(), "shop", "agent", 1, 1, fixtures);
        K8s.statefulSet(k8s.client(), "shop", "db", 1, 1, fixtures);
        for (String[] p : new String[][] {{"rs-a", "ReplicaSet", "web-1"}, {"rs-b", "ReplicaSet", "web-1"},
                {"ds-a", "DaemonSet", "agent"}, {"sts-a", "StatefulSet", "db"}}) {
            K8s.pod(k8s.client(), "shop", p[0], fixtures, K8s.owner(p[1], p[2]));
        }
        for (HasMetadata o : List.of(
                new NamespaceBuilder().withNewMetadata().withName("gone").endMetadata().build(),
                new ConfigMapBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new SecretBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new ServiceBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new ServiceAccountBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new DeploymentBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new DaemonSetBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new StatefulSetBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new ReplicaSetBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new RoleBuilder().withNewMetadata().withName("o").withNamespace("x").endMetadata().build(),
                new ClusterRoleBuilder().withNewMetadata().withName("o").endMetadata().build())) {
            k8s.client().resource(o).create();
        }
        k8s.server().expect().get().withPath(ExecActionnersSimulatorTest.execPath("shop", "rs-a", "main",
                List.of("/bin/sh", "-c", "id"))).andUpgradeToWebSocket().open(new OutputStreamMessage("uid=0\n"),
                new StatusStreamMessage(0)).done().always();
        k8s.server().expect().get()
                .withPath("/api/v1/namespaces/shop/pods/rs-a/log?pretty=false&container=main&tailLines=5")
                .andReturn(200, "log\n").always();
        byte[] capture = "capture".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CaptureFixtures.expectExec(k8s.server(), "shop", "rs-a", "main", List.of("cat", "--", "/etc/hosts"), capture, 0);
        CaptureFixtures.serveEphemeral(k8s.server(), K8s.podBuilder("shop", "tcp-a", fixtures).build(), true,
                List.of("timeout", "1", "tcpdump", "-n", "-i", "any", "-s", "4096", "-U", "-w", "-"), capture);
        k8s.client().resource(K8s.podBuilder("shop", "sys-a", fixtures).editStatus().withContainerStatuses(
                new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("main")
                        .withContainerID("containerd://0123456789abcdef0123").build()).endStatus().build()).create();
        CaptureFixtures.expectExec(k8s.server(), "shop", "sysdig-runner", "sysdig",
                CaptureFixtures.sysdigArgv(1, "0123456789abcdef0123"), new byte[0], 0);
        CaptureFixtures.expectExec(k8s.server(), "shop", "sysdig-runner", "sysdig",
                List.of("cat", "/tmp/falco-talon.scap.gz"), capture, 0);
        Path evidence = Files.createTempDirectory("talon-evidence");

        // Talon gets its own client, so its requests can be told from this test's own
        try (KubernetesClient talonClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                k8s.client().getConfiguration()).withUserAgent(TALON_AGENT).build()).build();
             TalonTestServer talon = TalonTestServer.builder().config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\n"
                     + "default_notifiers: [k8sevents]\n").rules(RULES.formatted(evidence))
                     .property("talon.kubernetes.drain-poll-ms", "50").kubernetesClient(talonClient)
                     // Talon "runs" in namespace falco: deleting a ClusterRole looks up the ones granted to it
                     .identity("falco", "falco-talon-0", "falco-talon").start()) {
            ActionnerRun.requests(k8s.server());
            List<ActionResult> results = new java.util.ArrayList<>();
            results.add(run(talon, "label", podFields("shop", "rs-a")));
            results.add(run(talon, "annotate-node", podFields("shop", "rs-a")));
            results.add(run(talon, "netpol", podFields("shop", "rs-a")));
            results.add(run(talon, "netpol-allow", podFields("shop", "rs-a")));
            results.add(run(talon, "netpol", podFields("shop", "ds-a")));
            results.add(run(talon, "netpol", podFields("shop", "sts-a")));
            // created, then updated (another address)
            for (String ip : List.of("203.0.113.7", "203.0.113.8")) {
                results.add(run(talon, "calico", podFields("shop", "rs-a", "fd.rip", ip)));
                results.add(run(talon, "cilium", podFields("shop", "ds-a", "fd.rip", ip)));
            }
            // with a ttl: the policy is listed (pending reverts) and deleted when the ttl ends
            results.add(run(talon, "netpol-ttl", podFields("shop", "ds-a")));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> k8s.client()
                    .network().v1().networkPolicies().inNamespace("shop").withName("falco-talon-agent").get() == null);
            results.add(run(talon, "exec", podFields("shop", "rs-a")));
            results.add(run(talon, "script", podFields("shop", "rs-a")));
            results.add(run(talon, "log", podFields("shop", "rs-a")));
            results.add(run(talon, "download", podFields("shop", "rs-a")));
            results.add(run(talon, "tcpdump", podFields("shop", "tcp-a")));
            var jobController = CaptureFixtures.playJobController(k8s.client(), "shop", "sysdig-runner");
            results.add(run(talon, "sysdig", podFields("shop", "sys-a")));
            jobController.get();
            results.add(run(talon, "terminate", podFields("shop", "ds-a")));
            results.add(run(talon, "terminate", podFields("shop", "sts-a")));
            results.add(run(talon, "terminate", podFields("shop", "rs-b")));
            for (String[] d : new String[][] {{"namespaces", "gone", ""}, {"configmaps", "o", "x"},
                    {"secrets", "o", "x"}, {"services", "o", "x"}, {"serviceaccounts", "o", "x"},
                    {"deployments", "o", "x"}, {"daemonsets", "o", "x"}, {"statefulsets", "o", "x"},
                    {"replicasets", "o", "x"}, {"roles", "o", "x"}, {"clusterroles", "o", ""}}) {
                results.add(run(talon, "delete", d[2].isEmpty()
                        ? Map.of("ka.target.resource", d[0], "ka.target.name", d[1])
                        : Map.of("ka.target.resource", d[0], "ka.target.name", d[1], "ka.target.namespace", d[2])));
            }
            results.add(run(talon, "cordon", podFields("shop", "rs-a")));
            K8s.node(k8s.client(), "node-2");
            k8s.client().resource(K8s.podBuilder("shop", "on-2", fixtures).editSpec().withNodeName("node-2").endSpec()
                    .build()).create();
            k8s.server().expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2")
                    .andReturn(200, new PodListBuilder().withItems(k8s.client().pods().inNamespace("shop")
                            .withName("on-2").get()).build()).always();
            k8s.server().expect().post().withPath("/api/v1/namespaces/shop/pods/on-2/eviction").andReply(201, req -> {
                java.util.concurrent.CompletableFuture.runAsync(() -> k8s.client().pods().inNamespace("shop")
                        .withName("on-2").delete());
                return new StatusBuilder().withStatus("Success").build();
            }).once();
            results.add(ActionnerRun.runOn(talon, "node-2", "drain", podFields("shop", "on-2")));
            assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success"));

            Set<String> called = ActionnerRun.requests(k8s.server()).stream()
                    .filter(r -> TALON_AGENT.equals(r.getHeader("User-Agent")))
                    .map(KubernetesRbacSimulatorTest::permission).collect(Collectors.toCollection(TreeSet::new));
            assertThat(granted()).containsAll(called);
            Set<String> observable = listed().stream().filter(p -> !NOT_OBSERVABLE.contains(p))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(called).as("every listed call the simulator can observe is made by some actionner")
                    .isEqualTo(observable);
        }
    }
}
