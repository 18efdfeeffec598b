package org.falcosecurity.talon.rules;

import java.util.Locale;
import java.util.Optional;

/** Falco priorities, in increasing order of severity. */
public enum Priority {
    DEBUG("Debug"),
    INFORMATIONAL("Informational"),
    NOTICE("Notice"),
    WARNING("Warning"),
    ERROR("Error"),
    CRITICAL("Critical"),
    ALERT("Alert"),
    EMERGENCY("Emergency");

    private final String displayName;

    Priority(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** Parses a priority name, case-insensitively; {@code Info} is accepted for {@code Informational}. */
    public static Optional<Priority> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("info")) {
            return Optional.of(INFORMATIONAL);
        }
        for (Priority p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(t)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return displayName;
    }
}
