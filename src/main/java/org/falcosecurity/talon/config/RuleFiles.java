package org.falcosecurity.talon.config;

import org.falcosecurity.talon.rules.load.RuleSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which rule files Talon reads, in order, and how to read them.
 *
 * <p>Precedence: the {@code -r} flags; else {@code rules_files} from the config; else
 * {@code /etc/falco-talon/rules.yaml}; else {@code rules/rules.yaml} in the working directory; else the packaged
 * example rules. Files named explicitly must exist.
 */
public final class RuleFiles {

    public static final Path DEFAULT_RULES = Path.of("/etc/falco-talon/rules.yaml");
    public static final String PACKAGED_RULES = "rules/rules.yaml";

    private final List<Path> files;
    private final boolean packaged;

    private RuleFiles(List<Path> files, boolean packaged) {
        this.files = List.copyOf(files);
        this.packaged = packaged;
    }

    public static RuleFiles of(List<Path> files) {
        return new RuleFiles(files, false);
    }

    public static RuleFiles packagedDefault() {
        return new RuleFiles(List.of(), true);
    }

    /**
     * Resolves the rule files.
     *
     * @throws ConfigException when an explicitly named file does not exist
     */
    public static RuleFiles resolve(List<Path> flags, TalonConfig config, Path defaultRules) throws ConfigException {
        List<Path> named = new ArrayList<>(flags);
        if (named.isEmpty()) {
            config.rulesFiles().forEach(f -> named.add(Path.of(f)));
        }
        if (!named.isEmpty()) {
            List<ConfigProblem> missing = new ArrayList<>();
            for (Path p : named) {
                if (!Files.isRegularFile(p)) {
                    missing.add(new ConfigProblem(p.toString(), "", "rule file not found"));
                }
            }
            if (!missing.isEmpty()) {
                throw new ConfigException(missing);
            }
            return of(named);
        }
        if (defaultRules != null && Files.isRegularFile(defaultRules)) {
            return of(List.of(defaultRules));
        }
        Path local = Path.of(PACKAGED_RULES);
        if (Files.isRegularFile(local)) {
            return of(List.of(local));
        }
        return packagedDefault();
    }

    /** The files on disk (empty for the packaged rules, which cannot change). */
    public List<Path> paths() {
        return files;
    }

    public boolean isPackaged() {
        return packaged;
    }

    public String describe() {
        return packaged ? "classpath:" + PACKAGED_RULES : String.join(", ", files.stream().map(Path::toString).toList());
    }

    /** Reads the current content of every file. */
    public List<RuleSource> read() throws IOException {
        if (packaged) {
            try (InputStream in = RuleFiles.class.getClassLoader().getResourceAsStream(PACKAGED_RULES)) {
                if (in == null) {
                    throw new IOException("the packaged " + PACKAGED_RULES + " is missing from the jar");
                }
                return List.of(new RuleSource("classpath:" + PACKAGED_RULES,
                        new String(in.readAllBytes(), StandardCharsets.UTF_8), null));
            }
        }
        List<RuleSource> out = new ArrayList<>();
        for (Path p : files) {
            out.add(RuleSource.of(p));
        }
        return out;
    }
}
