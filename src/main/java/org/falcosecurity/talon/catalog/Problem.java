package org.falcosecurity.talon.catalog;

/**
 * One problem with a value, found by a declaration's checks.
 *
 * @param field   the path of the offending value, such as {@code parameters.labels} or {@code url}
 * @param message what is wrong
 */
public record Problem(String field, String message) {

    @Override
    public String toString() {
        return field == null || field.isEmpty() ? message : field + ": " + message;
    }
}
