package org.falcosecurity.talon.rules;

import java.time.Duration;
import java.util.Map;

/**
 * A resolved action of a rule: the merge of its action block (if it names one) with the inline settings.
 *
 * @param name             the action name
 * @param actionner        the actionner, {@code category:name}
 * @param continueAfter    whether the rule's next actions run after this one (explicit, else the actionner's default)
 * @param ignoreErrors     whether a failure of this action lets the next ones run
 * @param parameters       the parameters as written (after merging); what {@code simulate} and {@code rules print} show
 * @param runParameters    the parameters the actionner receives (after load-time resolution such as reading a script file)
 * @param ttl              when set (reversible actionners only), Talon reverts the action's change this long after it
 *                         succeeded; {@code null}: the change stays
 */
public record Action(String name, String actionner, boolean continueAfter, boolean ignoreErrors,
                     Map<String, Object> parameters, Map<String, Object> runParameters, Duration ttl) {
}
