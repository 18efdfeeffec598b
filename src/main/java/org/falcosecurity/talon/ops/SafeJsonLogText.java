package org.falcosecurity.talon.ops;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolver;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolverContext;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolverFactory;
import org.apache.logging.log4j.layout.template.json.resolver.TemplateResolverConfig;
import org.apache.logging.log4j.layout.template.json.resolver.TemplateResolverFactory;
import org.apache.logging.log4j.layout.template.json.util.JsonWriter;
import org.falcosecurity.talon.contract.SafeText;

import java.util.function.Function;

/**
 * The {@code safe} resolver of the JSON log layout ({@code talon-log-layout.json}): the message, an MDC value or the
 * exception's message as a JSON string, with what JSON leaves raw but breaks a line or drives a terminal — DEL, C1
 * controls, U+2028, U+2029 — written as {@code \}{@code uXXXX} text ({@link SafeText#escapeBeyondJson}); CR, LF and
 * the other C0 controls get the JSON writer's escapes. A field with no value is left out, as log4j2's own resolvers
 * do. {@code {"$resolver": "safe", "field": "message"}}, {@code {"$resolver": "safe", "mdc": "pod"}},
 * {@code {"$resolver": "safe", "field": "error_message"}}.
 */
@Plugin(name = "TalonSafeJsonResolverFactory", category = TemplateResolverFactory.CATEGORY)
public final class SafeJsonLogText implements EventResolverFactory {

    private static final SafeJsonLogText INSTANCE = new SafeJsonLogText();

    private SafeJsonLogText() {
    }

    @PluginFactory
    public static SafeJsonLogText getInstance() {
        return INSTANCE;
    }

    @Override
    public String getName() {
        return "safe";
    }

    @Override
    public EventResolver create(EventResolverContext context, TemplateResolverConfig config) {
        String mdc = config.getString("mdc");
        String field = config.getString("field");
        Function<LogEvent, String> value;
        if (mdc != null) {
            value = e -> {
                Object v = e.getContextData().getValue(mdc);
                return v == null ? null : v.toString();
            };
        } else if ("message".equals(field)) {
            value = e -> e.getMessage() == null ? null : e.getMessage().getFormattedMessage();
        } else if ("error_message".equals(field)) {
            value = e -> e.getThrown() == null ? null : e.getThrown().getMessage();
        } else {
            throw new IllegalArgumentException("the safe resolver takes \"mdc\": <key>, or \"field\": \"message\" or"
                    + " \"error_message\"; got " + config);
        }
        return new EventResolver() {
            @Override
            public boolean isResolvable(LogEvent event) {
                return value.apply(event) != null;
            }

            @Override
            public void resolve(LogEvent event, JsonWriter writer) {
                String v = value.apply(event);
                if (v == null) {
                    writer.writeNull();
                    return;
                }
                StringBuilder sb = new StringBuilder(v.length() + 8);
                SafeText.escapeBeyondJson(v, sb);
                writer.writeString(sb);
            }
        };
    }
}
