package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.catalog.NotifierSpec;

import java.util.List;
import java.util.Optional;

/** The built-in notifiers, each declared beside its formatting bean. */
public final class BuiltinNotifiers {

    public static final List<BuiltinNotifier> ALL = List.of(KubernetesEventNotifier.BUILTIN, SlackNotifier.BUILTIN,
            LokiNotifier.BUILTIN, SearchNotifier.ELASTICSEARCH, SearchNotifier.OPENSEARCH, MailNotifier.BUILTIN,
            WebhookNotifier.BUILTIN);

    private BuiltinNotifiers() {
    }

    public static Optional<NotifierSpec> spec(String name) {
        return ALL.stream().map(BuiltinNotifier::spec).filter(s -> s.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(BuiltinNotifier::name).toList();
    }
}
