package org.falcosecurity.talon.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command-line tools some checks run (helm, kubectl). Under CI ({@code CI=true}) a missing tool fails the test;
 * on a developer machine the test is skipped with a message saying how to get it ({@code .ci/helm-check}).
 */
public final class Tools {

    /** Where .ci/helm-check installs helm. */
    public static final String HELM_LAYER_VERSION = "2.1.0";

    private Tools() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** helm: $HELM, else the copy .ci/helm-check caches, else helm on the PATH. */
    public static Path helm() {
        List<Path> candidates = new ArrayList<>();
        if (System.getenv("HELM") != null) {
            candidates.add(Path.of(System.getenv("HELM")));
        }
        String tools = System.getenv().getOrDefault("FALCO_TALON_TOOLS",
                System.getProperty("user.home") + "/.cache/falco-talon/tools");
        candidates.add(Path.of(tools, "helm-layer-" + HELM_LAYER_VERSION, "helm", "helm"));
        return find("helm", candidates);
    }

    public static Path kubectl() {
        return find("kubectl", List.of());
    }

    /** Any other program on the PATH (a Debian package: bash, zsh, fish). */
    public static Path program(String name) {
        return find(name, List.of());
    }

    private static Path find(String name, List<Path> candidates) {
        List<Path> all = new ArrayList<>(candidates);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank()) {
                all.add(Path.of(dir, name));
            }
        }
        for (Path p : all) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = name + " not found (run .ci/helm-check to install helm; kubectl is a Debian package)";
        if (underCi()) {
            throw new AssertionError(msg + ": required under CI");
        }
        Assumptions.abort(msg);
        return null;
    }

    /** Runs a tool with a scratch HOME (helm writes its config and cache there). */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("tool-home");
        Path out = Files.createTempFile("tool", ".out");
        Path err = Files.createTempFile("tool", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
