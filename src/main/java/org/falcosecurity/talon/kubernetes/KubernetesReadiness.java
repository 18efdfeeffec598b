package org.falcosecurity.talon.kubernetes;

import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/** Finds the Kubernetes actions that would really run, to warn at startup when no cluster is configured. */
public final class KubernetesReadiness {

    private KubernetesReadiness() {
    }

    /** The non-dry-run actions of built-in Kubernetes actionners, as {@code rule 'r' → action 'a' (actionner)}. */
    public static List<String> liveKubernetesActions(RuleSet rules, boolean globalDryRun) {
        List<String> out = new ArrayList<>();
        if (globalDryRun) {
            return out;
        }
        for (Rule r : rules.rules()) {
            if (r.dryRun()) {
                continue;
            }
            for (Action a : r.actions()) {
                if (a.actionner().startsWith("kubernetes:")) {
                    out.add("rule '" + r.name() + "' → action '" + a.name() + "' (" + a.actionner() + ")");
                }
            }
        }
        return out;
    }

    /** The startup warning, or {@code null} when there is nothing to warn about. */
    public static String warning(boolean clusterConfigured, RuleSet rules, boolean globalDryRun) {
        if (clusterConfigured) {
            return null;
        }
        List<String> live = liveKubernetesActions(rules, globalDryRun);
        if (live.isEmpty()) {
            return null;
        }
        return ClusterAccess.NOT_CONFIGURED + "; these " + live.size() + " action(s) will fail until one is (or set"
                + " dry_run: true): " + String.join("; ", live);
    }
}
