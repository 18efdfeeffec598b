package org.falcosecurity.talon.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.RoutePolicyFactory;

/**
 * Camel's route meters ({@code camel_exchanges_*{routeId}}, camel-micrometer's route policy) for every route but the
 * ones named here: the intake's events are counted by Talon itself ({@code falco_talon_events_received_total}), and
 * the policy builds two strings with {@code String.format} on each of its exchanges (about 9 % of the intake's CPU,
 * BENCHMARKS.md).
 */
public final class RouteMeters {

    /** The routes Camel's route policy leaves alone (a camel-micrometer exclude pattern: route ids, comma-separated). */
    public static final String UNMETERED = "intake";

    private RouteMeters() {
    }

    /**
     * Gives the route policy factory camel-main made ({@code camel.metrics.enable-route-policy}) its own configuration,
     * which leaves out {@link #UNMETERED}. Called before the routes start; without one (metrics off) nothing to do.
     */
    public static void leaveOutUnmetered(CamelContext context) {
        for (RoutePolicyFactory f : context.getRoutePolicyFactories()) {
            if (f instanceof MicrometerRoutePolicyFactory factory) {
                // camel-main set the level on the factory's configuration, which is a JVM-wide default instance:
                // a copy, so that nothing else sees the exclusion
                MicrometerRoutePolicyConfiguration was = factory.getPolicyConfiguration();
                MicrometerRoutePolicyConfiguration c = new MicrometerRoutePolicyConfiguration();
                c.setContextEnabled(was.isContextEnabled());
                c.setRouteEnabled(was.isRouteEnabled());
                c.setAdditionalCounters(was.isAdditionalCounters());
                c.setExchangesSucceeded(was.isExchangesSucceeded());
                c.setExchangesFailed(was.isExchangesFailed());
                c.setExchangesTotal(was.isExchangesTotal());
                c.setExternalRedeliveries(was.isExternalRedeliveries());
                c.setFailuresHandled(was.isFailuresHandled());
                c.setLongTask(was.isLongTask());
                c.setTimerInitiator(was.getTimerInitiator());
                c.setLongTaskInitiator(was.getLongTaskInitiator());
                c.setExcludePattern(was.getExcludePattern() == null ? UNMETERED
                        : was.getExcludePattern() + "," + UNMETERED);
                factory.setPolicyConfiguration(c);
                return;
            }
        }
    }
}
