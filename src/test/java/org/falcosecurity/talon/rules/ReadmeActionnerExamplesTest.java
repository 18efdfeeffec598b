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

/** Every YAML example of README.md's "Actionners" section is a valid rule file. */
class ReadmeActionnerExamplesTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static List<String> examples() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Actionners\n");
        assertThat(start).as("README.md has an Actionners section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(section);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyExampleLoads() throws Exception {
        List<String> examples = examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(8);
        for (String yaml : examples) {
            LoadResult r = RulesFixture.load(yaml);
            assertThat(r.errors()).as(yaml).isEmpty();
        }
    }

    @Test
    void everyBuiltinActionnerHasAnExample() throws Exception {
        String all = String.join("\n", examples());
        for (String a : Builtins.declarations().actionners().stream().map(ActionnerSpec::name).toList()) {
            if (!a.equals("kubernetes:labelize")) {
                assertThat(all).as(a).contains("actionner: " + a + "\n");
            }
        }
    }
}
