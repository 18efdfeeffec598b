package org.falcosecurity.talon.contract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Kubernetes actionner did: the text for the result's output, the objects it touched (pod, namespace,
 * node, networkpolicy, ...) and the artifact it collected, if any. The routes copy it into the headers
 * {@code TalonOutput}, {@code TalonObjects} and {@code TalonArtifact}.
 */
public final class Outcome {

    private final String output;
    private final Map<String, String> objects;
    private final Artifact artifact;

    public Outcome(String output, Map<String, String> objects) {
        this(output, objects, null);
    }

    /** An outcome with the artifact the actionner collected (the routes put it in the header TalonArtifact). */
    public Outcome(String output, Map<String, String> objects, Artifact artifact) {
        this.output = output;
        this.objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
        this.artifact = artifact;
    }

    /** The artifact, or {@code null}. */
    public Artifact getArtifact() {
        return artifact;
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
