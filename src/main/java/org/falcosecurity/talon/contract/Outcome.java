package org.falcosecurity.talon.contract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Kubernetes actionner did: the text for the result's output and the objects it touched (pod, namespace,
 * node, networkpolicy, ...). The routes copy it into the headers {@code TalonOutput} and {@code TalonObjects}.
 */
public final class Outcome {

    private final String output;
    private final Map<String, String> objects;

    public Outcome(String output, Map<String, String> objects) {
        this.output = output;
        this.objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
    }

    public String getOutput() {
        return output;
    }

    public Map<String, String> getObjects() {
        return objects;
    }

    @Override
    public String toString() {
        return output + " " + objects;
    }
}
