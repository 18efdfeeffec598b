package org.falcosecurity.talon.rules.load;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.RouteFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item 10 of "secure by default": the rule-file loader (YAML, drafts, merge, compile against the catalog) fuzzed with
 * Jazzer. Any file gives rules or errors that name the file and what is wrong, never an exception. Seeds and regression
 * inputs: src/test/resources/org/falcosecurity/talon/rules/load/RulesLoaderFuzzTestInputs (the packaged rules, the
 * bad-rules corpus, every crash found).
 */
class RulesLoaderFuzzTest {

    private static final RulesLoader LOADER;
    private static final org.falcosecurity.talon.rules.Event EVENT = new org.falcosecurity.talon.rules.Event("u",
            "Terminal shell in container", org.falcosecurity.talon.rules.Priority.CRITICAL, "o", "o", "", "syscall",
            "node-1", List.of("container"), java.util.Map.of("k8s.pod.name", "p", "k8s.ns.name", "n",
            "proc.name", "sh"));
    /** Where a rule's script {@code file} is looked up: an empty directory. */
    private static final Path DIR;

    static {
        try {
            LOADER = new RulesLoader(Catalog.of(RouteFiles.resolve(null).fromUris(), Builtins.declarations()));
            DIR = Files.createTempDirectory("rules-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void load(byte[] file) {
        LoadResult r = LOADER.load(List.of(new RuleSource("fuzz.yaml", new String(file, StandardCharsets.UTF_8),
                DIR)));
        assertThat(r.ok()).isEqualTo(r.errors().isEmpty());
        for (RuleError e : r.errors()) {
            assertThat(e.file()).contains("fuzz.yaml");
            assertThat(e.message()).isNotBlank();
        }
        if (r.ok()) {
            // what loaded plans an event without failing
            r.rules().rules().forEach(rule -> assertThat(rule.name()).isNotBlank());
            assertThat(r.rules().plan(EVENT, false)).isNotNull();
        }
    }
}
