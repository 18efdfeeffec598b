package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every actionner example is a valid rule file: each declaration's own example, every YAML example of
 * docs/actionners.md (the generated ones, which come from the declarations, and the hand-written ones), and the
 * rules README.md shows.
 */
class DocsActionnerExamplesTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static List<String> yamlBlocks(Path page) throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(Files.readString(page));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyDeclarationsExampleLoads() {
        for (ActionnerSpec a : Builtins.declarations().actionners()) {
            assertThat(a.example()).as(a.name() + " has an example").contains("actionner: " + a.name() + "\n");
            LoadResult r = RulesFixture.load(a.example());
            assertThat(r.errors()).as(a.name() + "'s example:\n" + a.example()).isEmpty();
        }
    }

    @Test
    void everyExampleOfTheActionnersPageLoads() throws Exception {
        List<String> examples = yamlBlocks(Path.of("docs/actionners.md"));
        assertThat(examples).hasSizeGreaterThan(Builtins.declarations().actionners().size());
        for (String yaml : examples) {
            LoadResult r = RulesFixture.load(yaml);
            assertThat(r.errors()).as(yaml).isEmpty();
        }
    }

    @Test
    void everyBuiltinActionnerHasAnExampleOnTheActionnersPage() throws Exception {
        String all = String.join("\n", yamlBlocks(Path.of("docs/actionners.md")));
        for (ActionnerSpec a : Builtins.declarations().actionners()) {
            assertThat(all).as(a.name()).contains("actionner: " + a.name() + "\n");
        }
    }

    @Test
    void theRulesOfTheReadmeAndTheRulesPageLoad() throws Exception {
        List<String> rules = new ArrayList<>();
        for (Path page : List.of(Path.of("README.md"), Path.of("docs/rules.md"))) {
            yamlBlocks(page).stream().filter(y -> y.contains("- rule: ") && !y.contains("<string")).forEach(rules::add);
        }
        assertThat(rules).hasSizeGreaterThanOrEqualTo(2);
        for (String yaml : rules) {
            LoadResult r = RulesFixture.load(yaml);
            assertThat(r.errors()).as(yaml).isEmpty();
        }
    }
}
