package org.falcosecurity.talon.support;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real helm ({@link Tools#helm}): runs it, and renders a chart into Kubernetes objects. */
public final class Helm {

    private Helm() {
    }

    public static Tools.Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.helm().toString());
        cmd.addAll(List.of(args));
        return Tools.run(cmd);
    }

    /** {@code helm template <release> <chart> --namespace <ns> [--values <values>] [--set s]...}, which must work. */
    public static List<HasMetadata> template(Path chart, String release, String namespace, Path values,
                                             String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("template", release, chart.toString(), "--namespace", namespace));
        if (values != null) {
            args.add("--values");
            args.add(values.toString());
        }
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Tools.Result r = run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("helm template: " + r.stderr()).isZero();
        return K8sManifests.load(r.stdout(), "helm template " + release + " " + String.join(" ", sets));
    }
}
