package org.falcosecurity.talon.rules;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Routes read the event with Camel's simple language; every documented expression resolves to one method. */
class EventSimpleLanguageTest {

    private static final Event EVENT = new Event("u-1", "Terminal shell in container", Priority.NOTICE,
            "12:00:00.000000000: Notice a shell", "a shell", "2026-11-27T12:00:00Z", "syscall", "node-1",
            List.of("shell"), Map.of("k8s.pod.name", "web-1", "k8s.ns.name", "prod", "proc.cmdline", "sh -i"));

    @Test
    void noMethodHasAGetterTwin() {
        // Camel merges getX() and x() into one ambiguous operation when reflection lists the getter first
        Set<String> names = Arrays.stream(Event.class.getMethods()).filter(m -> Modifier.isPublic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toSet());
        assertThat(names).noneMatch(n -> n.startsWith("get") && n.length() > 3
                && names.contains(Character.toLowerCase(n.charAt(3)) + n.substring(4)));
    }

    @Test
    void documentedExpressions() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            Exchange ex = new DefaultExchange(ctx);
            ex.getMessage().setBody(EVENT);
            assertThat(eval(ctx, ex, "${body.rule}")).isEqualTo("Terminal shell in container");
            assertThat(eval(ctx, ex, "${body.podName}")).isEqualTo("web-1");
            assertThat(eval(ctx, ex, "${body.namespace}")).isEqualTo("prod");
            assertThat(eval(ctx, ex, "${body.outputFields[proc.cmdline]}")).isEqualTo("sh -i");
            assertThat(eval(ctx, ex, "${body.priority}")).isEqualTo("Notice");
            assertThat(eval(ctx, ex, "${body.outputText}")).isEqualTo("a shell");
        }
    }

    private static String eval(CamelContext ctx, Exchange ex, String expr) {
        return ctx.resolveLanguage("simple").createExpression(expr).evaluate(ex, String.class);
    }
}
