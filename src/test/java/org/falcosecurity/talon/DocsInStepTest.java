package org.falcosecurity.talon;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.ConfigKey;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RulesLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/, ARCHITECTURE.md and the packaged examples stay in step with the code. */
class DocsInStepTest {

    @Test
    void configurationPageDocumentsEveryConfigKeyWithItsEnvVar() throws Exception {
        String page = Files.readString(Path.of("docs/configuration.md"));
        for (ConfigKey k : ConfigKey.ALL) {
            assertThat(page).as("docs/configuration.md table row for " + k.name())
                    .contains("| `" + k.name() + "` | `" + k.envName() + "` |");
        }
    }

    @Test
    void configurationPageListsEveryTalonPropertyWithItsValue() throws Exception {
        String page = Files.readString(Path.of("docs/configuration.md"));
        java.util.Properties props = new java.util.Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            props.load(in);
        }
        java.util.List<String> talon = props.stringPropertyNames().stream().filter(n -> n.startsWith("talon."))
                .sorted().toList();
        assertThat(talon).hasSizeGreaterThan(10);
        for (String name : talon) {
            String value = props.getProperty(name).strip();
            assertThat(page).as("docs/configuration.md row for " + name)
                    .contains("| `" + name + "` | " + (value.isEmpty() ? "empty" : "`" + value + "`") + " |");
        }
    }

    @Test
    void packagedExampleRulesAndConfigAreValid() throws Exception {
        TalonConfig config = TalonConfig.loadResource("config.yaml", Map.of());
        Catalog catalog = Catalog.of(RouteFiles.resolve(null).fromUris(), Builtins.declarations());
        LoadResult r = new RulesLoader(catalog).load(RuleFiles.packagedDefault().read());
        assertThat(r.errors()).isEmpty();
        assertThat(r.rules().size()).isPositive();
        for (String n : config.defaultNotifiers()) {
            assertThat(catalog.hasNotifier(n)).as("packaged default notifier " + n).isTrue();
        }
    }

    @Test
    void architectureNamesEveryRouteFile() throws Exception {
        String arch = Files.readString(Path.of("ARCHITECTURE.md"));
        for (String name : RouteFiles.resolve(null).locations().keySet()) {
            String stem = name.replace(".camel.yaml", "");
            boolean named = arch.contains("routes/" + name)
                    || (stem.startsWith("actionner") && arch.contains("routes/actionner*.camel.yaml"))
                    || (stem.startsWith("notifier") && arch.contains("routes/notifier*.camel.yaml"));
            assertThat(named).as("ARCHITECTURE.md mentions routes/" + name).isTrue();
        }
    }
}
