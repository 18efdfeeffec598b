package org.falcosecurity.talon.rules;

import java.util.Map;

/**
 * An action's {@code output}: the target that stores the artifact its actionner produces (a log, a file, a capture)
 * and the target's parameters.
 *
 * @param target     the output target, {@code category:name} (a route consuming {@code direct:output-<category>-<name>})
 * @param parameters its parameters, validated against the target's declaration
 */
public record ActionOutput(String target, Map<String, Object> parameters) {
}
