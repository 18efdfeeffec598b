package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * calico:networkpolicy and cilium:networkpolicy through the running Talon, against the fabric8 API simulator in CRUD
 * mode (it stores the custom resources): the stored policy denies exactly the event's IP and allows the listed CIDRs
 * and namespaces; a second event for the same workload adds its IP.
 */
@EnableKubernetesMockClient(crud = true)
class CniPolicyActionnersSimulatorTest {

    static KubernetesMockServer server;
    static KubernetesClient client;
    private static TalonTestServer talon;

    private static final ResourceDefinitionContext CALICO = new ResourceDefinitionContext.Builder()
            .withGroup("projectcalico.org").withVersion("v3").withKind("NetworkPolicy")
            .withPlural("networkpolicies").withNamespaced(true).build();
    private static final ResourceDefinitionContext CILIUM = new ResourceDefinitionContext.Builder()
            .withGroup("cilium.io").withVersion("v2").withKind("CiliumNetworkPolicy")
            .withPlural("ciliumnetworkpolicies").withNamespaced(true).build();

    private static final String RULES = """
            - action: Create Calico netpol
              actionner: calico:networkpolicy
              parameters:
                order: 20
                allow_cidr: ["192.168.1.0/24", " 172.17.0.0/16"]
                allow_namespaces: [green-ns, blue-ns]
            - action: Create Cilium netpol
              actionner: cilium:networkpolicy
              parameters:
                allow_cidr: ["192.168.1.0/24", "172.17.0.0/16"]
                allow_namespaces: [green-ns, blue-ns]
            - rule: calico
              match: {rules: [calico]}
              actions: [{action: Create Calico netpol}]
            - rule: calico-default
              match: {rules: [calico-default]}
              actions: [{action: c, actionner: calico:networkpolicy}]
            - rule: cilium
              match: {rules: [cilium]}
              actions: [{action: Create Cilium netpol}]
            - rule: cilium-default
              match: {rules: [cilium-default]}
              actions: [{action: c, actionner: cilium:networkpolicy}]
            """;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder().config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\n")
                .rules(RULES).property("talon.kubernetes.max-denied-ips", "3").kubernetesClient(client).start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @BeforeEach
    void clean() {
        server.reset();
        K8s.deployment(client, "shop", "web", Map.of("app", "web"));
        K8s.replicaSet(client, "shop", "web-5d8f", 3, 3, Map.of("app", "web", "pod-template-hash", "5d8f"),
                K8s.owner("Deployment", "web"));
        for (String pod : List.of("web-5d8f-a", "web-5d8f-b")) {
            K8s.pod(client, "shop", pod, Map.of("app", "web", "pod-template-hash", "5d8f"),
                    K8s.owner("ReplicaSet", "web-5d8f"));
        }
    }

    private static Map<String, Object> spec(ResourceDefinitionContext api, String name) {
        GenericKubernetesResource r = client.genericKubernetesResources(api).inNamespace("shop").withName(name).get();
        assertThat(r).as(api.getKind() + " " + name).isNotNull();
        assertThat(r.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "falco-talon");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
        return spec;
    }

    private static Map<String, String> connection(String pod, String field, String ip) {
        return podFields("shop", pod, field, ip, "fd.rport", "443");
    }

    @Test
    void calicoDeniesTheEventsIpThenAllowsTheListedCidrsAndNamespaces() throws Exception {
        ActionResult r = run(talon, "calico", connection("web-5d8f-a", "fd.rip", "203.0.113.7"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getObjects()).containsEntry("caliconetworkpolicy", "falco-talon-web")
                .containsEntry("pod", "web-5d8f-a");
        assertThat(r.getOutput()).isEqualTo("Calico NetworkPolicy shop/falco-talon-web created: egress of Deployment"
                + " web to 203.0.113.7/32 denied (1 address denied); allowed: 192.168.1.0/24, 172.17.0.0/16,"
                + " namespaces kubernetes.io/metadata.name in {'green-ns', 'blue-ns'}");
        Map<String, Object> spec = spec(CALICO, "falco-talon-web");
        assertThat(spec).containsEntry("order", 20).containsEntry("selector", "app == 'web'")
                .containsEntry("types", List.of("Egress"));
        assertThat(spec.get("egress")).isEqualTo(List.of(
                Map.of("action", "Deny", "destination", Map.of("nets", List.of("203.0.113.7/32"))),
                Map.of("action", "Allow", "destination", Map.of("nets", List.of("192.168.1.0/24", "172.17.0.0/16"))),
                Map.of("action", "Allow", "destination", Map.of("namespaceSelector",
                        "kubernetes.io/metadata.name in {'green-ns', 'blue-ns'}"))));

        // another pod of the workload, another IP (fd.sip when there is no fd.rip): added, not duplicated
        ActionResult second = run(talon, "calico", connection("web-5d8f-b", "fd.sip", "198.51.100.9"));
        assertThat(second.getOutput()).startsWith("Calico NetworkPolicy shop/falco-talon-web updated: egress of"
                + " Deployment web to 198.51.100.9/32 denied (2 addresses denied)");
        ActionResult again = run(talon, "calico", connection("web-5d8f-a", "fd.rip", "203.0.113.7"));
        assertThat(again.getOutput()).contains(" already in place: ", "(2 addresses denied)");
        assertThat(spec(CALICO, "falco-talon-web").get("egress")).asList().first()
                .isEqualTo(Map.of("action", "Deny", "destination", Map.of("nets",
                        List.of("203.0.113.7/32", "198.51.100.9/32"))));
        assertThat(client.genericKubernetesResources(CALICO).inNamespace("shop").list().getItems()).hasSize(1);
    }

    @Test
    void withoutAllowListsEverythingElseStaysAllowedAndIpv6GetsAHostPrefix() throws Exception {
        ActionResult r = run(talon, "calico-default", connection("web-5d8f-a", "fd.rip", "2001:DB8::7"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(spec(CALICO, "falco-talon-web").get("egress")).isEqualTo(List.of(
                Map.of("action", "Deny", "destination", Map.of("nets", List.of("2001:db8::7/128"))),
                Map.of("action", "Allow", "destination", Map.of("nets", List.of("0.0.0.0/0", "::/0")))));
        assertThat(spec(CALICO, "falco-talon-web")).doesNotContainKey("order");
    }

    @Test
    void theIpFieldIsCheckedAsUpstreamDoesAndNothingIsWritten() throws Exception {
        assertThat(run(talon, "calico", podFields("shop", "web-5d8f-a")).getError())
                .isEqualTo("missing IP field (fd.sip or fd.rip)");
        assertThat(run(talon, "calico", connection("web-5d8f-a", "fd.rip", "<NA>")).getError())
                .isEqualTo("missing IP field (fd.sip or fd.rip)");
        assertThat(run(talon, "calico", connection("web-5d8f-a", "fd.rip", "10.0.0.300")).getError())
                .isEqualTo("wrong value for fd.rip");
        // a name is never resolved
        assertThat(run(talon, "cilium", connection("web-5d8f-a", "fd.sip", "localhost")).getError())
                .isEqualTo("wrong value for fd.sip");
        assertThat(run(talon, "cilium", connection("nope", "fd.rip", "203.0.113.7")).getError())
                .isEqualTo("pod nope not found in namespace shop");
        assertThat(client.genericKubernetesResources(CALICO).inNamespace("shop").list().getItems()).isEmpty();
        assertThat(client.genericKubernetesResources(CILIUM).inNamespace("shop").list().getItems()).isEmpty();
    }

    @Test
    void aPolicyTalonDoesNotManageIsLeftAlone() throws Exception {
        GenericKubernetesResource own = new GenericKubernetesResourceBuilder().withApiVersion("projectcalico.org/v3")
                .withKind("NetworkPolicy").withNewMetadata().withName("falco-talon-web").withNamespace("shop")
                .endMetadata().build();
        own.setAdditionalProperty("spec", Map.of("selector", "all()"));
        client.genericKubernetesResources(CALICO).inNamespace("shop").resource(own).create();
        ActionResult r = run(talon, "calico", connection("web-5d8f-a", "fd.rip", "203.0.113.7"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("Calico NetworkPolicy shop/falco-talon-web exists and is not managed by"
                + " Falco Talon (no label app.kubernetes.io/managed-by=falco-talon): not changing it");
        assertThat(client.genericKubernetesResources(CALICO).inNamespace("shop").withName("falco-talon-web").get()
                .getAdditionalProperties().get("spec")).isEqualTo(Map.of("selector", "all()"));
    }

    @Test
    void ciliumDeniesTheEventsIpAndAllowsCidrsAndNamespacesByTheirMetadataNameLabel() throws Exception {
        ActionResult r = run(talon, "cilium", connection("web-5d8f-a", "fd.rip", "203.0.113.7"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getObjects()).containsEntry("ciliumnetworkpolicy", "falco-talon-web");
        Map<String, Object> spec = spec(CILIUM, "falco-talon-web");
        assertThat(spec).containsEntry("endpointSelector", Map.of("matchLabels", Map.of("app", "web")))
                .containsEntry("egressDeny", List.of(Map.of("toCIDR", List.of("203.0.113.7/32"))))
                .containsEntry("description", "Network policy created by Falco Talon");
        assertThat(spec.get("egress")).isEqualTo(List.of(
                Map.of("toCIDR", List.of("192.168.1.0/24", "172.17.0.0/16")),
                Map.of("toEndpoints", List.of(Map.of("matchExpressions", List.of(Map.of(
                        "key", "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name",
                        "operator", "In", "values", List.of("green-ns", "blue-ns"))))))));

        ActionResult second = run(talon, "cilium", connection("web-5d8f-b", "fd.rip", "198.51.100.9"));
        assertThat(second.getOutput()).startsWith("CiliumNetworkPolicy shop/falco-talon-web updated: egress of"
                + " Deployment web to 198.51.100.9/32 denied (2 addresses denied)");
        assertThat(spec(CILIUM, "falco-talon-web").get("egressDeny"))
                .isEqualTo(List.of(Map.of("toCIDR", List.of("203.0.113.7/32", "198.51.100.9/32"))));
        assertThat(run(talon, "cilium", connection("web-5d8f-b", "fd.rip", "198.51.100.9")).getOutput())
                .contains(" already in place: ");
    }

    @Test
    void ciliumWithoutAllowListsAllowsEveryOtherEntity() throws Exception {
        assertThat(run(talon, "cilium-default", connection("web-5d8f-a", "fd.rip", "203.0.113.7")).getStatus())
                .isEqualTo("success");
        assertThat(spec(CILIUM, "falco-talon-web").get("egress")).isEqualTo(List.of(Map.of("toEntities",
                List.of("all"))));
    }

    @Test
    void aPolicyDeniesAtMostTheConfiguredNumberOfAddresses() throws Exception {
        for (String ip : List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")) {
            assertThat(run(talon, "cilium", connection("web-5d8f-a", "fd.rip", ip)).getStatus()).isEqualTo("success");
        }
        ActionResult r = run(talon, "cilium", connection("web-5d8f-a", "fd.rip", "203.0.113.4"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("CiliumNetworkPolicy shop/falco-talon-web already denies 3 addresses, the"
                + " most Talon puts in one policy (talon.kubernetes.max-denied-ips): 203.0.113.4/32 not added");
        // an address it already denies is still fine
        assertThat(run(talon, "cilium", connection("web-5d8f-a", "fd.rip", "203.0.113.2")).getStatus())
                .isEqualTo("success");
    }
}
