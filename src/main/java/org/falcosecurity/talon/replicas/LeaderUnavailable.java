package org.falcosecurity.talon.replicas;

/**
 * No leader could take a forwarded event just now (none known, unreachable, stopping, or busy): the relay route
 * keeps the event and tries again ({@code routes/replicas.camel.yaml}, route configuration {@code
 * talon-relay-errors}).
 */
public class LeaderUnavailable extends Exception {

    public LeaderUnavailable(String message) {
        super(message, null, false, false);
    }
}
