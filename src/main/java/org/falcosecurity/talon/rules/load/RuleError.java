package org.falcosecurity.talon.rules.load;

/**
 * One problem found in the rule files.
 *
 * @param file     the rule file(s) the problem is in
 * @param block    {@code rule 'name'}, {@code action 'name'} or {@code block #n}; {@code null} for the file itself
 * @param field    the field path, such as {@code match.priority} or {@code actions[2].parameters.labels}; may be null
 * @param message  what is wrong
 */
public record RuleError(String file, String block, String field, String message) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (block != null) {
            sb.append(": ").append(block);
        }
        if (field != null && !field.isEmpty()) {
            sb.append(": ").append(field);
        }
        return sb.append(": ").append(message).toString();
    }
}
