package org.falcosecurity.talon.docs;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration and route examples of the docs work as shown: every notifier declaration's example is a config
 * Talon accepts, the config examples of docs/ parse, and the routes docs/extending.md shows are the packaged ones.
 */
class DocsExamplesTest {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ROUTE_ID = Pattern.compile("^- route:\\n    id: ([a-z0-9-]+)\\n");

    static List<String> yamlBlocks(String page) {
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyNotifierExampleIsAValidConfig() throws Exception {
        List<NotifierSpec> notifiers = Builtins.declarations().notifiers();
        assertThat(notifiers).hasSizeGreaterThanOrEqualTo(7);
        for (NotifierSpec n : notifiers) {
            assertThat(n.example()).as(n.name() + " has an example").startsWith(n.name() + ":");
            String yaml = "notifiers:\n" + n.example().lines().map(l -> "  " + l + "\n").reduce("", String::concat);
            TalonConfig config = TalonConfig.parse(yaml, n.name() + " example", Map.of());
            assertThat(NotifierValidator.problems(config, List.of(n.name()), true)).as(yaml).isEmpty();
        }
    }

    @Test
    void theNotifierValidatorWouldCatchABrokenExample() throws Exception {
        TalonConfig config = TalonConfig.parse("notifiers:\n  slack:\n    format: medium\n", "broken", Map.of());
        assertThat(NotifierValidator.problems(config, List.of("slack"), true))
                .anySatisfy(p -> assertThat(p).contains("notifiers.slack.webhook_url"))
                .anySatisfy(p -> assertThat(p).contains("notifiers.slack.format"));
    }

    @Test
    void theConfigExamplesParse() throws Exception {
        int checked = 0;
        for (Path page : List.of(Path.of("docs/configuration.md"), Path.of("docs/scale-out.md"),
                Path.of("docs/security.md"))) {
            for (String yaml : yamlBlocks(MarkdownPages.read(page))) {
                if (yaml.startsWith("# Falcosidekick")) {
                    continue; // Falcosidekick's config, not Talon's
                }
                TalonConfig.parse(yaml, page.toString(), Map.of());
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    void theRoutesOfTheExtendingPageAreThePackagedOnes() throws Exception {
        int checked = 0;
        for (String yaml : yamlBlocks(MarkdownPages.read(Path.of("docs/extending.md")))) {
            Matcher m = ROUTE_ID.matcher(yaml);
            if (!m.find()) {
                continue;
            }
            Path file = routeFile(m.group(1));
            String code = Files.readString(file).lines().dropWhile(l -> l.startsWith("#") || l.isBlank())
                    .reduce("", (a, l) -> a + l + "\n");
            assertThat(yaml).as("docs/extending.md shows " + file + " as it is").isEqualTo(code);
            checked++;
        }
        assertThat(checked).isEqualTo(2);
    }

    private static Path routeFile(String id) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.sorted().toList()) {
                if (Files.readString(f).contains("\n    id: " + id + "\n")) {
                    return f;
                }
            }
        }
        throw new AssertionError("no file in routes/ defines the route " + id);
    }
}
