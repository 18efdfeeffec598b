package org.falcosecurity.talon.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.Collection;
import java.util.Comparator;

/**
 * Answers {@code GET /readyz} from Camel's readiness checks: Talon's own ({@link RulesHealthCheck},
 * {@link KubernetesHealthCheck}) and Camel's (context, routes and consumers started). 200 when all are up, else 503;
 * the body names Talon's checks, Camel's context check and any check that is down, with its message.
 */
public class Readiness {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String check(Exchange exchange) {
        // every result, whatever camel.health.exposure-level says: that level (oneline) is for /observe/health, which
        // would otherwise keep only one result here and leave the checks out of this answer
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(exchange.getContext(), "full");
        boolean up = HealthCheckHelper.isResultsUp(results, true);
        ObjectNode root = JSON.createObjectNode();
        root.put("status", up ? "UP" : "DOWN");
        ObjectNode checks = root.putObject("checks");
        // Talon's checks and Camel's context always; Camel's per-route and per-consumer checks only when down
        results.stream().filter(r -> isTalon(r) || "context".equals(r.getCheck().getId())
                        || r.getState() != HealthCheck.State.UP)
                .sorted(Comparator.comparing(r -> r.getCheck().getId())).forEach(r -> {
            ObjectNode n = checks.putObject(r.getCheck().getId());
            n.put("status", r.getState().name());
            r.getMessage().ifPresent(m -> n.put("message", m));
            if (isTalon(r)) {
                // Talon's details (rules, cluster, version); Camel's bookkeeping keys are dotted (invocation.count)
                r.getDetails().forEach((k, v) -> {
                    if (!k.contains(".")) {
                        n.put(k, String.valueOf(v));
                    }
                });
            }
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return root.toString();
    }

    private static boolean isTalon(HealthCheck.Result r) {
        return "falco-talon".equals(r.getCheck().getGroup());
    }
}
