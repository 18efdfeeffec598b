package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.support.TestRoutes;
import org.falcosecurity.talon.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream Falco Talon's CLI verbs: {@code actionners list}, {@code notifiers list}, {@code outputs list} print each
 * item as upstream does ({@code --- name ---}, then its fields as YAML), derived from the declarations, and every
 * example they print is a valid rule file or config; {@code completion bash|zsh|fish} prints scripts that the real
 * shells load and complete with.
 */
class UpstreamVerbsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path dir;

    /** The items of a listing, by header, each parsed as YAML. */
    private static Map<String, JsonNode> items(String out) throws Exception {
        Map<String, JsonNode> items = new LinkedHashMap<>();
        String[] parts = out.split("(?m)^--- ");
        for (String p : parts) {
            if (p.isBlank()) {
                continue;
            }
            int end = p.indexOf(" ---\n");
            items.put(p.substring(0, end), YAML.readTree(p.substring(end + 5)));
        }
        return items;
    }

    @Test
    void actionnersListPrintsEveryDeclarationAsUpstreamDoes() throws Exception {
        CliRunner.Result r = CliRunner.run("actionners", "list");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, JsonNode> items = items(r.out());
        for (ActionnerSpec a : Builtins.declarations().actionners()) {
            JsonNode n = items.get(a.name());
            assertThat(n).as(a.name()).isNotNull();
            assertThat(n.path("category").asText() + ":" + n.path("name").asText()).isEqualTo(a.name());
            assertThat(n.path("description").asText()).isEqualTo(a.description());
            assertThat(n.path("continue").asBoolean()).isEqualTo(a.defaultContinue());
            assertThat(n.path("use_context").asBoolean()).isEqualTo(a.usesContext());
            assertThat(n.path("allow_output").isBoolean()).isTrue();
            assertThat(n.path("require_output").isBoolean()).isTrue();
            assertThat(n.path("required_output_fields").size()).isEqualTo(a.requiredFields().size());
            for (ParamSpec p : a.params().values()) {
                JsonNode param = n.path("parameters").path(p.name() + (p.required() ? " (required)" : ""));
                assertThat(param.isMissingNode()).as(a.name() + " " + p.name()).isFalse();
                assertThat(param.path("type").asText()).isEqualTo(p.type().shortName());
            }
            if (!a.permissions().isEmpty()) {
                JsonNode role = YAML.readTree(n.path("permissions").asText());
                assertThat(role.path("kind").asText()).isEqualTo("ClusterRole");
                List<String> grants = new ArrayList<>();
                role.path("rules").forEach(rule -> rule.path("verbs").forEach(v -> grants.add(
                        rule.path("apiGroups").get(0).asText() + "/" + rule.path("resources").get(0).asText() + ":"
                                + v.asText())));
                assertThat(grants).containsExactlyInAnyOrderElementsOf(a.permissions().stream()
                        .map(org.falcosecurity.talon.catalog.Permission::key).distinct().toList());
            }
            // the example is a rule file `check` accepts
            Path example = Files.writeString(dir.resolve(a.name().replace(':', '-') + ".yaml"),
                    n.path("example").asText());
            CliRunner.Result check = CliRunner.run("check", "--strict", "-r", example.toString());
            assertThat(check.exit()).as(a.name() + ": " + check.err()).isZero();
        }
        assertThat(items.get("kubernetes:exec").path("parameters").has("command (required)")).isTrue();
        assertThat(items.get("kubernetes:terminate").path("continue").asBoolean()).isFalse();
        assertThat(items.get("kubernetes:exec").path("use_context").asBoolean()).isTrue();
        assertThat(items.get("kubernetes:log").path("parameters").path("tail_lines").path("default").asInt())
                .isEqualTo(1000);
    }

    @Test
    void notifiersListPrintsEveryDeclaration() throws Exception {
        CliRunner.Result r = CliRunner.run("notifiers", "list");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, JsonNode> items = items(r.out());
        for (NotifierSpec n : Builtins.declarations().notifiers()) {
            JsonNode item = items.get(n.name());
            assertThat(item).as(n.name()).isNotNull();
            assertThat(item.path("description").asText()).isEqualTo(n.description());
            for (SettingSpec s : n.settings().values()) {
                JsonNode setting = item.path("parameters").path(s.name() + (s.required() ? " (required)" : ""));
                assertThat(setting.isMissingNode()).as(n.name() + "." + s.name()).isFalse();
                assertThat(setting.path("secret").asBoolean()).isEqualTo(s.secret());
            }
            if (!n.example().isEmpty()) {
                // the example is a config section that loads
                Path config = Files.writeString(dir.resolve(n.name() + ".yaml"), item.path("example").asText());
                assertThat(org.falcosecurity.talon.config.TalonConfig.load(config, true, Map.of())
                        .notifiers()).as(n.name()).containsKey(n.name());
            }
        }
        assertThat(items.get("slack").path("parameters").path("webhook_url (required)").path("secret").asBoolean())
                .isTrue();
        assertThat(items.get("elasticsearch").path("parameters").path("number_of_shards").path("default").asText())
                .isEqualTo("3");
    }

    @Test
    void outputsListShowsTheRouteDefinedTargets() throws Exception {
        CliRunner.Result none = CliRunner.run("outputs", "list");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).contains("no output targets");

        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("output-test.camel.yaml"), TestRoutes.SINK_OUTPUT);
        Path config = Files.writeString(dir.resolve("config.yaml"), "routes_directory: " + routes + "\n");
        CliRunner.Result r = CliRunner.run("outputs", "list", "-c", config.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode sink = items(r.out()).get("test:sink");
        assertThat(sink.path("category").asText()).isEqualTo("test");
        assertThat(sink.path("name").asText()).isEqualTo("sink");
        assertThat(sink.path("description").asText()).isEqualTo("route-defined output target");
    }

    @Test
    void bashCompletesTheVerbs() throws Exception {
        Path script = Files.writeString(dir.resolve("c.bash"), CliRunner.run("completion", "bash").out());
        Tools.Result r = Tools.run(List.of(Tools.program("bash").toString(), "-c", "source " + script
                + "; COMP_WORDS=(falco-talon ac); COMP_CWORD=1; COMP_LINE='falco-talon ac'; COMP_POINT=14;"
                + " _complete_falco-talon; echo \"${COMPREPLY[@]}\";"
                + " COMP_WORDS=(falco-talon rules ''); COMP_CWORD=2; COMP_LINE='falco-talon rules '; COMP_POINT=18;"
                + " _complete_falco-talon; echo \"${COMPREPLY[@]}\""));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().lines().toList()).hasSize(2);
        assertThat(r.stdout().lines().toList().get(0).trim()).isEqualTo("actionners");
        assertThat(r.stdout().lines().toList().get(1)).contains("check").contains("print");
    }

    @Test
    void zshLoadsTheSameScriptThroughBashcompinit() throws Exception {
        Path script = Files.writeString(dir.resolve("c.zsh"), CliRunner.run("completion", "zsh").out());
        Tools.Result r = Tools.run(List.of(Tools.program("zsh").toString(), "-f", "-c",
                "autoload -U compinit && compinit -u -d " + dir.resolve("zcompdump") + "; source " + script
                        + "; print -r -- ${_comps[falco-talon]}"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("_complete_falco-talon");
    }

    @Test
    void fishCompletesTheVerbsAndOptions() throws Exception {
        Path script = Files.writeString(dir.resolve("c.fish"), CliRunner.run("completion", "fish").out());
        Tools.Result r = Tools.run(List.of(Tools.program("fish").toString(), "--no-config", "-c",
                "source " + script + "; complete -C 'falco-talon ac'; echo ---; complete -C 'falco-talon rules '"
                        + "; echo ---; complete -C 'falco-talon check --st'"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String[] parts = r.stdout().split("---\n");
        assertThat(parts[0]).startsWith("actionners\t");
        assertThat(parts[1]).contains("check\t").contains("print\t");
        assertThat(parts[2]).startsWith("--strict");
    }

    @Test
    void anUnknownShellIsAClearError() {
        CliRunner.Result r = CliRunner.run("completion", "powershell");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown shell 'powershell' (expected bash, zsh or fish)");
    }
}
