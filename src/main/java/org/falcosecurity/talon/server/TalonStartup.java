package org.falcosecurity.talon.server;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.delivery.NotifierQueues;
import org.falcosecurity.talon.kubernetes.KubernetesReadiness;
import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Wires Talon once Camel has loaded the routes and before it starts them: learns which actionner and notifier routes
 * exist, checks the notifiers the config names and their settings, loads the rules (startup fails on any error), and
 * instantiates the worker and notifier-queue templates. After start it watches the rule files.
 */
public final class TalonStartup extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon");

    private final TalonRuntime runtime;
    private final RulesReloader reloader;

    public TalonStartup(TalonRuntime runtime) {
        this.runtime = runtime;
        this.reloader = new RulesReloader(runtime);
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        org.falcosecurity.talon.ops.RouteMeters.leaveOutUnmetered(context);
        List<String> froms = new ArrayList<>();
        for (RouteDefinition rd : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (rd.getInput() == null) {
                continue;
            }
            // a route made from a template consumes the template's URI with the route's parameters filled in
            froms.add(rd.getTemplateParameters() == null ? rd.getInput().getEndpointUri()
                    : RouteFiles.fillIn(rd.getInput().getEndpointUri(), rd.getTemplateParameters()));
        }
        Catalog catalog = Catalog.of(froms, Builtins.declarations());
        runtime.catalog(catalog);
        LOG.info("actionners: {}", catalog.actionnerNames());
        LOG.info("notifiers: {}", catalog.notifierNames());

        List<String> problems = new ArrayList<>();
        for (String n : runtime.config().defaultNotifiers()) {
            if (!catalog.hasNotifier(n)) {
                problems.add("default_notifiers: unknown notifier '" + n + "' (known: "
                        + String.join(", ", catalog.notifierNames()) + ")");
            }
        }
        for (String n : runtime.config().audit().notifiers()) {
            if (!catalog.hasNotifier(n)) {
                problems.add("audit.notifiers: unknown notifier '" + n + "' (known: "
                        + String.join(", ", catalog.notifierNames()) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new TalonStartupException("invalid configuration", problems);
        }
        refuseAnOpenIntake();
        List<String> notifierProblems = NotifierValidator.configProblems(runtime.config(),
                runtime.kubernetes().configured());
        if (!notifierProblems.isEmpty()) {
            throw new TalonStartupException("invalid notifier settings", notifierProblems);
        }

        LoadResult rules = reloader.load();
        if (!rules.ok()) {
            throw new TalonStartupException("invalid rules in " + runtime.ruleFiles().describe(),
                    rules.errors().stream().map(Object::toString).toList());
        }
        LOG.info("{} rules loaded from {}{}", rules.rules().size(), runtime.ruleFiles().describe(),
                runtime.config().dryRun() ? " (dry_run: no action will run)" : "");
        LOG.info("Kubernetes: {}", runtime.kubernetes().description());
        String k8sWarning = KubernetesReadiness.warning(runtime.kubernetes().configured(), rules.rules(),
                runtime.config().dryRun());
        if (k8sWarning != null) {
            LOG.warn("{}", k8sWarning);
        }

        // created before the workers: routes stop in reverse order, so on shutdown the workers finish first and the
        // notifier queues are still there to take their last results
        NotifierQueues.createNotifierQueues(context, catalog, runtime.config());
        if (runtime.config().kafka().enabled()) {
            // Kafka mode: the consumers of routes/kafka.camel.yaml take the workers' place
            LOG.info("Kafka mode: events go through topic '{}' at {}, processed by consumer group '{}' ({} consumers"
                    + " here)", runtime.config().kafka().topic(), runtime.config().kafka().brokers(),
                    runtime.config().kafka().groupId(), runtime.config().workers());
        } else {
            NotifierQueues.createWorkers(context, runtime.config().workers());
            if (runtime.replicas().leadership() != null) {
                // a follower's events wait in these queues for the leader (routes/replicas.camel.yaml)
                NotifierQueues.createRelays(context, runtime.config().workers());
            }
        }
    }

    /**
     * With a cluster configured, Talon can delete pods and RBAC objects on whatever reaches its intake: it does not
     * start without a token unless told so explicitly. With no cluster (the packaged default) nothing destructive can
     * run, and the intake may stay open.
     */
    private void refuseAnOpenIntake() {
        boolean open = runtime.config().authToken().isEmpty();
        if (!open) {
            return;
        }
        if (!runtime.kubernetes().configured()) {
            LOG.info("the intake is open (no auth.token): no cluster is configured, so no event can make Talon act on"
                    + " one");
            return;
        }
        if (!runtime.config().auth().allowUnauthenticated()) {
            throw new TalonStartupException("refusing to start an open intake", List.of(
                    "a Kubernetes cluster is configured (" + runtime.kubernetes().description() + ") and the intake"
                            + " has no token: anyone who can reach port " + runtime.config().listenPort()
                            + " could make Talon act on any pod. Set auth.token (AUTH_TOKEN) or auth.token_file"
                            + " (AUTH_TOKEN_FILE), or, to run open on purpose, auth.allow_unauthenticated: true"));
        }
        LOG.warn("the intake is OPEN (auth.allow_unauthenticated: true, no auth.token) while a cluster is configured:"
                + " anyone who can reach port {} can make Talon act on any pod", runtime.config().listenPort());
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        runtime.audit().start(main.getCamelContext());
        if (runtime.kubernetes().configured()) {
            // pending reverts recorded on the objects: by this replica before a restart, or by another one
            main.getCamelContext().getRegistry().lookupByNameAndType("kubernetesReverts", Reverts.class).start();
        }
        runtime.replicas().start();
        if (runtime.config().watchRules()) {
            try {
                reloader.watch(5000);
            } catch (java.io.IOException e) {
                LOG.warn("cannot watch the rule files, rules will not be reloaded: {}", e.getMessage());
            }
        }
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        reloader.close();
        Reverts reverts = main.getCamelContext().getRegistry().lookupByNameAndType("kubernetesReverts",
                Reverts.class);
        if (reverts != null) {
            reverts.close();
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        runtime.stopReplicasAndTelemetry();
        runtime.audit().close();
        runtime.closeClients();
    }

    public RulesReloader reloader() {
        return reloader;
    }
}
