package org.falcosecurity.talon.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The declarations of the built-in actionners, notifiers and output targets: what {@link Catalog} adds to the routes
 * it finds. The launcher passes the real ones ({@code org.falcosecurity.talon.builtins.Builtins}); tests may pass
 * fewer.
 */
public record Declarations(List<ActionnerSpec> actionners, List<NotifierSpec> notifiers, List<OutputSpec> outputs) {

    public Declarations {
        actionners = List.copyOf(actionners);
        notifiers = List.copyOf(notifiers);
        outputs = List.copyOf(outputs);
    }

    public static Declarations none() {
        return new Declarations(List.of(), List.of(), List.of());
    }

    public Optional<ActionnerSpec> actionner(String name) {
        return actionners.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public Optional<NotifierSpec> notifier(String name) {
        return notifiers.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Optional<OutputSpec> output(String name) {
        return outputs.stream().filter(o -> o.name().equals(name)).findFirst();
    }
}
