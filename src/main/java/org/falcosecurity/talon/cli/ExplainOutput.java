package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Explanation;
import org.falcosecurity.talon.rules.Explanation.ActionVerdict;
import org.falcosecurity.talon.rules.Explanation.RuleVerdict;
import org.falcosecurity.talon.rules.Match;

/** {@code simulate --explain}: why each rule did or did not fire, as text for people or JSON for tools. */
final class ExplainOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExplainOutput() {
    }

    /** The explanation as indented lines, after a header line naming the event. */
    static String text(int index, Event e, Explanation x) {
        StringBuilder b = new StringBuilder();
        b.append("event ").append(index).append(": Falco rule '").append(printable(e.rule())).append("', priority ")
                .append(e.priority().displayName()).append(", source ").append(printable(e.source())).append('\n');
        for (RuleVerdict v : x.rules()) {
            String name = "rule '" + v.rule().name() + "'";
            switch (v.outcome()) {
                case FIRED -> {
                    b.append("  fired        ").append(name).append(v.dryRun() ? " (dry run: actions are reported,"
                            + " not run)" : "").append('\n');
                    int i = 1;
                    for (ActionVerdict a : v.actions()) {
                        b.append("      ").append(i++).append(". ").append(a.action().name()).append(" (")
                                .append(a.action().actionner()).append("): ");
                        if (!a.runs()) {
                            b.append("does not run: ").append(a.reason());
                        } else {
                            b.append(v.dryRun() ? "reported" : "runs");
                            if (a.condition() != null) {
                                b.append(", ").append(a.condition());
                            }
                        }
                        b.append('\n');
                    }
                }
                case NOT_MATCHED -> {
                    b.append("  not matched  ").append(name).append('\n');
                    for (Match.Miss m : v.misses()) {
                        b.append("      ").append(printable(m.toString())).append('\n');
                    }
                }
                case NOT_EVALUATED -> b.append("  not reached  ").append(name).append(": rule '")
                        .append(v.stoppedBy()).append("' fired before it with continue: false\n");
            }
        }
        if (x.rules().isEmpty()) {
            b.append("  (no rules)\n");
        }
        return b.toString();
    }

    /** Event data (a rule name, a field value) in the text: a control character cannot start a line of its own. */
    static String printable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** The explanation as the {@code explain} array of the event's JSON line. */
    static ArrayNode json(Explanation x, Catalog catalog) {
        ArrayNode out = JSON.createArrayNode();
        for (RuleVerdict v : x.rules()) {
            ObjectNode n = out.addObject();
            n.put("rule", v.rule().name());
            n.put("outcome", switch (v.outcome()) {
                case FIRED -> "fired";
                case NOT_MATCHED -> "not_matched";
                case NOT_EVALUATED -> "not_reached";
            });
            switch (v.outcome()) {
                case FIRED -> {
                    n.put("dry_run", v.dryRun());
                    ArrayNode actions = n.putArray("actions");
                    for (ActionVerdict a : v.actions()) {
                        ObjectNode an = actions.addObject();
                        an.put("action", a.action().name());
                        an.put("actionner", a.action().actionner());
                        an.put("runs", a.runs());
                        if (a.condition() != null) {
                            an.put("condition", a.condition());
                        }
                        if (a.reason() != null) {
                            an.put("reason", a.reason());
                        }
                        an.put("continue", a.action().continueAfter());
                        an.put("ignore_errors", a.action().ignoreErrors());
                        an.set("parameters", JSON.valueToTree(CliContext.masked(a.action(), catalog)));
                    }
                }
                case NOT_MATCHED -> {
                    ArrayNode misses = n.putArray("failed");
                    for (Match.Miss m : v.misses()) {
                        misses.addObject().put("criterion", m.criterion()).put("reason", m.reason());
                    }
                }
                case NOT_EVALUATED -> n.put("stopped_by", v.stoppedBy());
            }
        }
        return out;
    }
}
