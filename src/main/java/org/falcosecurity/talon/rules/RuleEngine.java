package org.falcosecurity.talon.rules;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running rules. {@link #plan} reads an immutable {@link RuleSet}; {@link #replace} swaps it atomically, so a
 * reload never disturbs an event in flight, and a rule set that failed validation never replaces a good one.
 */
public final class RuleEngine {

    private final AtomicReference<RuleSet> rules = new AtomicReference<>(RuleSet.empty());
    private final AtomicLong generation = new AtomicLong();
    private final boolean globalDryRun;

    public RuleEngine(boolean globalDryRun) {
        this.globalDryRun = globalDryRun;
    }

    public List<RuleMatch> plan(Event event) {
        return rules.get().plan(event, globalDryRun);
    }

    public RuleSet rules() {
        return rules.get();
    }

    public boolean globalDryRun() {
        return globalDryRun;
    }

    /** How many times rules were loaded; 0 until the first load. */
    public long generation() {
        return generation.get();
    }

    public void replace(RuleSet next) {
        rules.set(next);
        generation.incrementAndGet();
    }
}
