package org.falcosecurity.talon.notifiers;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.CamelContext;
import org.falcosecurity.talon.catalog.NotifierSpec;

import java.util.function.Supplier;

/**
 * A built-in notifier: its declaration, the formatting bean its route calls ({@code <name>Notifier}), and what it
 * puts on its Camel component (connections and secrets, set from Java so they never become Camel properties or
 * endpoint URIs). Its route is {@code routes/notifier-<name>.camel.yaml}.
 *
 * @param spec       the declaration
 * @param bean       makes the formatting bean from the notifier's settings
 * @param components configures the notifier's Camel component once its settings are valid; may do nothing
 */
public record BuiltinNotifier(NotifierSpec spec, BeanFactory bean, ComponentSetup components) {

    /** What a notifier's bean and component set-up may use. */
    public record Context(NotifierSettings settings, Supplier<KubernetesClient> kubernetes, String instance,
                          int connectTimeoutMs, int readTimeoutMs) {
    }

    @FunctionalInterface
    public interface BeanFactory {
        Object create(Context context);
    }

    @FunctionalInterface
    public interface ComponentSetup {
        void configure(CamelContext camel, Context context);

        ComponentSetup NONE = (camel, context) -> { };
    }

    public String name() {
        return spec.name();
    }

    /** The registry name the notifier's route calls its bean by. */
    public String beanName() {
        return spec.name() + "Notifier";
    }
}
