package org.falcosecurity.talon.dispatch;

import org.apache.camel.component.mock.MockEndpoint;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Facts;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dynamic router at run time: action order, failures that stop a rule, ignore_errors, exceptions turned into
 * failures, dry runs, and results fanned out to default and per-rule notifiers — with test actionner and notifier
 * routes added as YAML files, the way users extend Talon.
 */
class DispatchRouteTest {

    private static final String ROUTES = """
            - route:
                id: actionner-test-ok
                from:
                  uri: direct:actionner-test-ok
                  steps:
                    - to: mock:ok
                    # a header of the actionner's own (as a component's would be): not the notifiers' business
                    - setHeader: {name: X-Actionner-Leftover, constant: "https://user:token@api.example.com/"}
                    - setHeader:
                        name: TalonOutput
                        simple: "ran ${header.TalonAction} with ${header.TalonParameters[n]} on ${body.podName}"
            - route:
                id: actionner-test-fail
                from:
                  uri: direct:actionner-test-fail
                  steps:
                    - to: mock:fail
                    - setHeader: {name: TalonStatus, constant: failure}
                    - setHeader: {name: TalonError, constant: "it failed"}
            - route:
                id: actionner-test-boom
                from:
                  uri: direct:actionner-test-boom
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: "kaboom"
            - route:
                id: actionner-test-weird
                from:
                  uri: direct:actionner-test-weird
                  steps:
                    - setHeader: {name: TalonStatus, constant: maybe}
            - route:
                id: notifier-capture
                from:
                  uri: direct:notifier-capture
                  steps:
                    - to: mock:captured
            - route:
                id: notifier-extra
                from:
                  uri: direct:notifier-extra
                  steps:
                    - to: mock:extra
            - route:
                id: notifier-broken
                from:
                  uri: direct:notifier-broken
                  steps:
                    - throwException:
                        exceptionType: java.io.IOException
                        message: "connection refused to https://hooks.example.com/services/T0/B0/SECRETTOKEN"
            """;

    private static final String RULES = """
            - rule: chain stops on failure
              match: {rules: [chain]}
              actions:
                - {action: first, actionner: test:ok, parameters: {n: 1}}
                - {action: second, actionner: test:fail}
                - {action: third, actionner: test:ok, parameters: {n: 3}}
            - rule: ignore errors
              match: {rules: [ignore]}
              actions:
                - {action: failing, actionner: test:fail, ignore_errors: true}
                - {action: after, actionner: test:ok, parameters: {n: 2}}
            - rule: contract
              match: {rules: [contract]}
              actions:
                - {action: failing, actionner: test:fail, ignore_errors: true}
                - {action: after, actionner: test:ok, parameters: {n: 4}}
            - rule: exception
              match: {rules: [boom]}
              actions:
                - {action: explode, actionner: test:boom}
                - {action: never, actionner: test:ok}
            - rule: other rule still runs
              match: {rules: [boom]}
              notifiers: [extra, broken]
              actions:
                - {action: independent, actionner: test:ok, parameters: {n: 9}}
            - rule: weird status
              match: {rules: [weird]}
              actions:
                - {action: odd, actionner: test:weird}
            - rule: dry
              match: {rules: [dry]}
              dry_run: true
              actions:
                - {action: would, actionner: test:ok, parameters: {n: 5, password: hunter2}}
            """;

    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .config("default_notifiers: [capture]\nprint_all_events: false\n")
                .rules(RULES)
                .route("test-routes.camel.yaml", ROUTES)
                .property("talon.notifier.max-redeliveries", "2")
                .property("talon.notifier.redelivery-delay-ms", "10")
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @BeforeEach
    void reset() {
        MockEndpoint.resetMocks(talon.server().context());
    }

    /** Posts the event and waits for n results of it (matched by trace id, as tests share one server). */
    private static List<ActionResult> post(String event, int n) throws Exception {
        String traceId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(talon.post(event).body())
                .path("trace_id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                talon.results().stream().filter(r -> r.getTraceId().equals(traceId)).count() >= n);
        return talon.results().stream().filter(r -> r.getTraceId().equals(traceId)).toList();
    }

    /**
     * Waits for n notifications of the event to reach the capture notifier and returns them (only this event's: a
     * previous test's notifications may still be arriving).
     */
    private static List<ActionResult> notified(String traceId, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> captured(traceId).size() >= n);
        return captured(traceId);
    }

    private static List<ActionResult> captured(String traceId) {
        return talon.mock("captured").getReceivedExchanges().stream()
                .map(x -> x.getMessage().getBody(ActionResult.class))
                .filter(x -> traceId.equals(x.getTraceId())).toList();
    }

    /** How many times the test:ok actionner ran for the event. */
    private static long okRuns(String traceId) {
        return talon.mock("ok").getReceivedExchanges().stream()
                .filter(x -> traceId.equals(x.getMessage().getHeader("TalonTraceId"))).count();
    }

    @Test
    void aFailureStopsTheRestOfTheRule() throws Exception {
        List<ActionResult> r = post(Events.event("chain", "Warning", "{\"k8s.pod.name\":\"p1\",\"k8s.ns.name\":\"ns\"}"), 2);
        assertThat(r).extracting(ActionResult::getAction, ActionResult::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("first", "success"),
                        org.assertj.core.groups.Tuple.tuple("second", "failure"));
        assertThat(r.get(0).getOutput()).isEqualTo("ran first with 1 on p1");
        assertThat(r.get(1).getError()).isEqualTo("it failed");
        assertThat(r.get(0).getObjects()).containsEntry("pod", "p1").containsEntry("namespace", "ns");
        // the third action never ran: once the event is done (its pod's gate is free), it has two results, test:ok
        // ran once for it, and its two results are notified (counted by trace id: the tests share one server)
        String traceId = r.get(0).getTraceId();
        await().atMost(Duration.ofSeconds(10)).until(() -> talon.server().context().getRegistry()
                .lookupByNameAndType("podGate", PodGate.class).size() == 0);
        assertThat(talon.results()).filteredOn(x -> x.getTraceId().equals(traceId)).hasSize(2);
        assertThat(okRuns(traceId)).isEqualTo(1);
        assertThat(notified(traceId, 2)).hasSize(2);
    }

    @Test
    void aNotificationCarriesTheContractAndNothingElseOfTheEventsExchange() throws Exception {
        List<ActionResult> r = post(Events.event("contract", "Warning", "{\"k8s.pod.name\":\"p9\"}"), 2);
        String traceId = r.get(0).getTraceId();
        notified(traceId, 2);
        List<org.apache.camel.Exchange> notifications = talon.mock("captured").getReceivedExchanges().stream()
                .filter(x -> traceId.equals(x.getMessage().getBody(ActionResult.class).getTraceId())).toList();
        assertThat(notifications).hasSize(2);
        for (org.apache.camel.Exchange n : notifications) {
            ActionResult result = n.getMessage().getBody(ActionResult.class);
            assertThat(n.getMessage().getHeaders()).containsOnlyKeys("TalonNotifier", "TalonStatus", "TalonRule",
                    "TalonAction", "TalonActionner", "TalonTraceId");
            assertThat(n.getMessage().getHeaders()).containsEntry("TalonNotifier", "capture")
                    .containsEntry("TalonStatus", result.getStatus()).containsEntry("TalonRule", "contract")
                    .containsEntry("TalonAction", result.getAction())
                    .containsEntry("TalonActionner", "test:" + (result.getAction().equals("after") ? "ok" : "fail"))
                    .containsEntry("TalonTraceId", traceId);
            // the event's routing state, plan and actionner endpoint stay with the event
            assertThat(n.getProperties().keySet()).noneMatch(k -> k.equals(TalonHeaders.PROP_ROUTER_STATE)
                    || k.equals(TalonHeaders.PROP_EVENT) || k.equals(ActionRouter.PROP_ACTIONNER_ENDPOINT));
        }
        assertThat(notifications).extracting(n -> n.getMessage().getBody(ActionResult.class).getAction())
                .containsExactlyInAnyOrder("failing", "after");
    }

    @Test
    void ignoreErrorsLetsTheNextActionRun() throws Exception {
        List<ActionResult> r = post(Events.event("ignore", "Warning", "{}"), 2);
        assertThat(r).extracting(ActionResult::getStatus).containsExactly("failure", "success");
        assertThat(r.get(1).getOutput()).isEqualTo("ran after with 2 on ");
    }

    @Test
    void anExceptionIsAFailureAndOtherRulesStillRunAndNotify() throws Exception {
        talon.mock("extra").expectedMessageCount(1);
        List<ActionResult> r = post(Events.event("boom", "Critical", "{\"k8s.pod.name\":\"p2\",\"k8s.ns.name\":\"ns\"}"), 2);
        assertThat(r).extracting(ActionResult::getAction).containsExactly("explode", "independent");
        assertThat(r.get(0).getStatus()).isEqualTo("failure");
        assertThat(r.get(0).getError()).isEqualTo("kaboom");
        assertThat(r.get(1).getStatus()).isEqualTo("success");
        // the rule's own notifiers, on top of the default one; the broken one does not hold up the others
        talon.mock("extra").assertIsSatisfied(10_000);
        ActionResult notified = talon.mock("extra").getReceivedExchanges().get(0).getMessage()
                .getBody(ActionResult.class);
        assertThat(notified.getAction()).isEqualTo("independent");
        assertThat(talon.mock("extra").getReceivedExchanges().get(0).getMessage().getHeader("TalonNotifier"))
                .isEqualTo("extra");
        // the broken notifier is retried, then its loss is counted
        await().atMost(Duration.ofSeconds(10)).until(() ->
                talon.server().runtime().counters().get("notifications_lost", "notifier", "broken", "reason",
                        "failed") == 1);
        assertThat(talon.server().runtime().counters().get("notification_retries", "notifier", "broken"))
                .isEqualTo(2);
    }

    @Test
    void anUnknownStatusIsAFailure() throws Exception {
        ActionResult r = post(Events.event("weird", "Warning", "{}"), 1).get(0);
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).contains("unknown status 'maybe'");
    }

    @Test
    void dryRunsRunNothingButAreNotified() throws Exception {
        ActionResult r = post(Events.event("dry", "Warning", "{}"), 1).get(0);
        assertThat(r.getStatus()).isEqualTo("dry-run");
        assertThat(r.getMessage()).contains("would run test:ok").doesNotContain("hunter2");
        // the parameters it would pass, secrets masked
        Facts.assertNames(r.getMessage(), "n", "5");
        assertThat(notified(r.getTraceId(), 1)).extracting(ActionResult::getStatus).containsExactly("dry-run");
        assertThat(okRuns(r.getTraceId())).isZero();
    }

    @Test
    void resultJsonCarriesTheRecordAndFlattenedObjects() throws Exception {
        post(Events.load("terminal-shell.json").replace("Terminal shell in container", "chain")
                .replace("\"uuid\": \"cc84de57-7617-4359-ad40-1a7a8d854743\"", "\"uuid\": \"trace-json\""), 2);
        String json = notified("trace-json", 2).stream()
                .filter(x -> x.getAction().equals("first")).findFirst().orElseThrow().getJson();
        com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(n.path("trace_id").asText()).isEqualTo("trace-json");
        assertThat(n.path("status").asText()).isEqualTo("success");
        assertThat(n.path("rule").asText()).isEqualTo("chain stops on failure");
        assertThat(n.path("action").asText()).isEqualTo("first");
        assertThat(n.path("actionner").asText()).isEqualTo("test:ok");
        assertThat(n.path("event").asText()).startsWith("A shell was spawned");
        assertThat(n.path("falco_rule").asText()).isEqualTo("chain");
        assertThat(n.path("priority").asText()).isEqualTo("Notice");
        assertThat(n.path("hostname").asText()).isEqualTo("worker-1");
        assertThat(n.path("pod").asText()).isEqualTo("cncf-55696bc998-ql5qd");
        assertThat(n.path("namespace").asText()).isEqualTo("default");
        assertThat(n.path("objects").path("pod").asText()).isEqualTo("cncf-55696bc998-ql5qd");
        assertThat(n.has("time")).isTrue();
    }
}
