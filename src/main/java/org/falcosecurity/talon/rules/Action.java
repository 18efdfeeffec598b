package org.falcosecurity.talon.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A resolved action of a rule: the merge of its action block (if it names one) with the inline settings.
 *
 * @param name               the action name
 * @param actionner          the actionner, {@code category:name}
 * @param continueAfter      whether the rule's next actions run after this one (explicit, else the actionner's default)
 * @param ignoreErrors       whether a failure of this action lets the next ones run
 * @param parameters         the parameters as written (after merging); what {@code simulate} and {@code rules print} show
 * @param runParameters      the parameters the actionner receives (after load-time resolution such as reading a script file)
 * @param description        free text, may be empty
 * @param output             where the actionner stores its artifact, or {@code null}
 * @param additionalContexts the extra contexts ({@code aws}, {@code k8snode}) the action asks for, in order
 * @param ttl                when set (reversible actionners only), Talon reverts the action's change this long after
 *                           it succeeded; {@code null}: the change stays
 */
public record Action(String name, String actionner, boolean continueAfter, boolean ignoreErrors,
                     Map<String, Object> parameters, Map<String, Object> runParameters, String description,
                     ActionOutput output, List<String> additionalContexts, Duration ttl) {

    public Action {
        description = description == null ? "" : description;
        additionalContexts = List.copyOf(additionalContexts);
    }

    /** An action without description, output, contexts or ttl. */
    public Action(String name, String actionner, boolean continueAfter, boolean ignoreErrors,
                  Map<String, Object> parameters, Map<String, Object> runParameters) {
        this(name, actionner, continueAfter, ignoreErrors, parameters, runParameters, "", null, List.of(), null);
    }
}
