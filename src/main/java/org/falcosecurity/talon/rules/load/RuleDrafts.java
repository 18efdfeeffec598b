package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.rules.FieldTerm;
import org.falcosecurity.talon.rules.PriorityCondition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules and action blocks as read from the files, before they are merged and validated. A later block with the
 * same name updates an earlier one: scalars are replaced when the later block sets them, lists are appended, maps
 * are merged key by key (later wins).
 */
final class RuleDrafts {

    private RuleDrafts() {
    }

    /** An action block, or a rule's inline action. */
    static final class ActionDraft {
        String name;
        String actionner;
        String description;
        Boolean continueFlag;
        Boolean ignoreErrors;
        Duration ttl;
        Map<String, Object> parameters;
        /** {@code output.target}, {@code output.parameters} (null when not set). */
        String outputTarget;
        Map<String, Object> outputParameters;
        boolean hasOutput;
        /** {@code additional_contexts}: appended when blocks merge, without repeats. */
        final List<String> additionalContexts = new ArrayList<>();
        Path directory;
        final List<String> files = new ArrayList<>();

        @SuppressWarnings("unchecked")
        void mergeFrom(ActionDraft later) {
            hasOutput |= later.hasOutput;
            if (later.outputTarget != null) {
                outputTarget = later.outputTarget;
            }
            if (later.outputParameters != null) {
                outputParameters = outputParameters == null ? new LinkedHashMap<>(later.outputParameters)
                        : (Map<String, Object>) merge(outputParameters, later.outputParameters);
            }
            for (String c : later.additionalContexts) {
                if (!additionalContexts.contains(c)) {
                    additionalContexts.add(c);
                }
            }
            if (later.actionner != null) {
                actionner = later.actionner;
            }
            if (later.description != null) {
                description = later.description;
            }
            if (later.continueFlag != null) {
                continueFlag = later.continueFlag;
            }
            if (later.ignoreErrors != null) {
                ignoreErrors = later.ignoreErrors;
            }
            if (later.ttl != null) {
                ttl = later.ttl;
            }
            if (later.parameters != null) {
                parameters = parameters == null ? new LinkedHashMap<>(later.parameters)
                        : (Map<String, Object>) merge(parameters, later.parameters);
            }
            if (later.directory != null && later.parameters != null && later.parameters.containsKey("file")) {
                directory = later.directory; // a script 'file' is relative to the file that set it
            } else if (directory == null) {
                directory = later.directory;
            }
            addFiles(files, later.files);
        }
    }

    static final class RuleDraft {
        String name;
        String description;
        final List<String> rules = new ArrayList<>();
        PriorityCondition priority;
        final List<Set<String>> tags = new ArrayList<>();
        final List<List<FieldTerm>> outputFields = new ArrayList<>();
        String source;
        Boolean continueFlag;
        Boolean dryRun;
        final List<ActionDraft> actions = new ArrayList<>();
        final List<String> notifiers = new ArrayList<>();
        final List<String> files = new ArrayList<>();

        void mergeFrom(RuleDraft later) {
            if (later.description != null) {
                description = later.description;
            }
            rules.addAll(later.rules);
            if (later.priority != null) {
                priority = later.priority;
            }
            tags.addAll(later.tags);
            outputFields.addAll(later.outputFields);
            if (later.source != null) {
                source = later.source;
            }
            if (later.continueFlag != null) {
                continueFlag = later.continueFlag;
            }
            if (later.dryRun != null) {
                dryRun = later.dryRun;
            }
            actions.addAll(later.actions);
            notifiers.addAll(later.notifiers);
            addFiles(files, later.files);
        }
    }

    private static void addFiles(List<String> files, List<String> more) {
        for (String f : more) {
            if (!files.contains(f)) {
                files.add(f);
            }
        }
    }

    /** Deep merge: maps key by key (recursively), lists appended, other values replaced. */
    @SuppressWarnings("unchecked")
    static Object merge(Object base, Object over) {
        if (base instanceof Map<?, ?> bm && over instanceof Map<?, ?> om) {
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) bm);
            for (Map.Entry<?, ?> e : om.entrySet()) {
                String k = (String) e.getKey();
                out.put(k, out.containsKey(k) ? merge(out.get(k), e.getValue()) : e.getValue());
            }
            return out;
        }
        if (base instanceof List<?> bl && over instanceof List<?> ol) {
            List<Object> out = new ArrayList<>(bl);
            out.addAll(ol);
            return out;
        }
        return over;
    }
}
