package org.falcosecurity.talon.docs;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.config.ConfigKey;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The reference tables of {@code docs/} are what the declarations render ({@link ReferenceTables}): the
 * configuration keys, every built-in actionner and notifier. A table that differs fails this test with the
 * difference; {@code ./mvnw -q test -Dtest=ReferenceDocsTest -Ddocs.write=true} rewrites the tables instead (the
 * prose around them is never touched).
 */
class ReferenceDocsTest {

    private static final boolean WRITE = Boolean.getBoolean("docs.write");

    private static ReferenceTables builtins() {
        return new ReferenceTables(Builtins.declarations(), ConfigKey.ALL);
    }

    @Test
    void everyGeneratedTableIsWhatTheDeclarationsRender() throws IOException {
        Map<Path, String> pages = new LinkedHashMap<>();
        for (Path p : MarkdownPages.pages()) {
            pages.put(p, MarkdownPages.read(p));
        }
        ReferenceTables tables = builtins();
        if (WRITE) {
            for (Map.Entry<Path, String> e : rewrite(pages, tables).entrySet()) {
                Files.writeString(e.getKey(), e.getValue());
                System.out.println("rewrote the generated tables of " + e.getKey());
            }
            pages.replaceAll((p, text) -> MarkdownPages.read(p));
        }
        List<String> problems = differences(pages, tables);
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems) + "\nRun ./mvnw -q test -Dtest=ReferenceDocsTest -Ddocs.write=true to"
                    + " rewrite the tables from the declarations.");
        }
    }

    @Test
    void everyDeclarationHasExactlyOneTableInDocs() {
        Map<String, List<String>> where = new TreeMap<>();
        for (Path p : MarkdownPages.docsPages()) {
            for (MarkdownPages.Block b : MarkdownPages.blocks(MarkdownPages.read(p), p.toString())) {
                where.computeIfAbsent(b.key(), k -> new ArrayList<>()).add(p + ":" + b.line());
            }
        }
        List<String> keys = builtins().keys();
        assertThat(keys).contains("actionner kubernetes:terminate", "notifier slack", "config");
        for (String key : keys) {
            assertThat(where.getOrDefault(key, List.of())).as("the table '" + key + "' in docs/*.md (add the"
                    + " markers <!-- generated: " + key + " --> and <!-- end generated --> where it belongs, then"
                    + " run with -Ddocs.write=true)").hasSize(1);
        }
    }

    @Test
    void aChangedDescriptionIsReportedWithTheDifference() {
        Path page = Path.of("docs/actionners.md");
        Map<Path, String> pages = Map.of(page, MarkdownPages.read(page));
        List<ActionnerSpec> changed = new ArrayList<>();
        for (ActionnerSpec a : Builtins.declarations().actionners()) {
            changed.add(a.name().equals("kubernetes:log") ? ActionnerSpec.builder("kubernetes:log")
                    .description("Fetch the pod's logs, in a changed declaration")
                    .requiredFields(a.requiredFields().toArray(String[]::new)).example(a.example())
                    .permissions(a.rbacGroup(), a.permissions()).build() : a);
        }
        Declarations d = Builtins.declarations();
        List<String> problems = differences(pages, new ReferenceTables(
                new Declarations(changed, d.notifiers(), d.outputs()), ConfigKey.ALL));

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("docs/actionners.md", "'actionners'")
                .contains("- | [`kubernetes:log`](#kuberneteslog) | Fetch the pod's logs into the result. |")
                .contains("+ | [`kubernetes:log`](#kuberneteslog) | Fetch the pod's logs, in a changed declaration. |")
                .doesNotContain("kubernetes:terminate");
        assertThat(problems.get(1)).contains("docs/actionners.md", "'actionner kubernetes:log'")
                .contains("- Fetch the pod's logs into the result.")
                .contains("+ Fetch the pod's logs, in a changed declaration.")
                .contains("- | `tail_lines` |");
        String rewritten = rewrite(pages, new ReferenceTables(new Declarations(changed, d.notifiers(), d.outputs()),
                ConfigKey.ALL)).get(page);
        assertThat(rewritten).contains("Fetch the pod's logs, in a changed declaration.")
                .doesNotContain("| `tail_lines` |")
                .contains("| `grace_period_seconds` |");
    }

    @Test
    void anUnknownTableOrAMissingEndMarkerIsReported() {
        Map<Path, String> unknown = Map.of(Path.of("x.md"), """
                # X
                <!-- generated: actionner kubernetes:teleport -->
                old
                <!-- end generated -->
                """);
        assertThat(differences(unknown, builtins())).singleElement().asString()
                .contains("x.md:2", "'actionner kubernetes:teleport'", "no declaration renders it");

        Map<Path, String> quoted = Map.of(Path.of("z.md"), """
                ```
                <!-- generated: actionner kubernetes:teleport -->
                <!-- end generated -->
                ```
                """);
        assertThat(differences(quoted, builtins())).as("markers shown in a code block").isEmpty();

        Map<Path, String> open = Map.of(Path.of("y.md"), "<!-- generated: config -->\n| a |\n");
        assertThat(differences(open, builtins())).singleElement().asString()
                .contains("y.md:1", "has no <!-- end generated -->");
    }

    @Test
    void actionnerTableShowsTypesRequiredDefaultsSecretsAndPermissions() {
        ActionnerSpec spec = ActionnerSpec.builder("demo:act").description("Do a <thing> | safely")
                .defaultContinue(false).source("k8saudit").requiredFields("k8s.pod.name (or ka.target.name)")
                .output(OutputUse.REQUIRED)
                .param(ParamSpec.required("target", ParamSpec.Type.STRING_LIST).describedAs("Where"))
                .param(ParamSpec.of("limit", ParamSpec.Type.INTEGER).withDefault(3).describedAs("At most `3`"))
                .param(ParamSpec.of("token", ParamSpec.Type.STRING).asSecret().describedAs("The token"))
                .permissions("demo", List.of(new Permission("", "pods", "get", "read it"),
                        new Permission("", "pods", "delete", "read it"),
                        new Permission("apps", "deployments", "get", "its owner")))
                .example("- action: Demo\n  actionner: demo:act\n")
                .build();

        String md = ReferenceTables.actionner(spec);

        assertThat(md).startsWith("Do a &lt;thing&gt; \\| safely. Continue: `false`. Source: `k8saudit`. Output"
                + " target: required (see [outputs](outputs.md)).\n\nRequired fields: `k8s.pod.name` (or"
                + " `ka.target.name`).\n");
        assertThat(md).contains("| `target` | list of strings | yes |  | Where. |\n")
                .contains("| `limit` | integer | no | `3` | At most `3`. |\n")
                .contains("| `token` | string | no |  | The token. Secret: masked wherever Talon prints it. |\n")
                .contains("Kubernetes permissions (chart: `rbac.actionners.demo`)")
                .contains("| core | `pods` | `get`, `delete` | read it |\n")
                .contains("| `apps` | `deployments` | `get` | its owner |\n")
                .endsWith("```yaml\n- action: Demo\n  actionner: demo:act\n```\n");
    }

    @Test
    void notifierTableShowsEnvVarsSecretsAndTheExampleUnderNotifiers() {
        NotifierSpec spec = NotifierSpec.builder("my_hook").description("Posts it")
                .setting(SettingSpec.text("url", "Where").asRequired().asSecret())
                .setting(SettingSpec.flag("tls", false, "Use TLS"))
                .example("my_hook:\n  url: https://example.org\n")
                .build();

        String md = ReferenceTables.notifier(spec);

        assertThat(md).contains("| `url` | `NOTIFIERS_MY_HOOK_URL` | string | yes |  | yes | Where. |\n")
                .contains("| `tls` | `NOTIFIERS_MY_HOOK_TLS` | boolean | no | `false` | no | Use TLS. |\n")
                .contains("Kubernetes permissions: none.")
                .endsWith("```yaml\nnotifiers:\n  my_hook:\n    url: https://example.org\n```\n");
    }

    @Test
    void configTableHasOneRowPerKeyWithItsEnvVarAndDefault() {
        ReferenceTables t = new ReferenceTables(Declarations.none(), List.of(
                new ConfigKey("a.b_c", ConfigKey.Type.INTEGER, 5, "Some <limit>"),
                new ConfigKey("auth.token", ConfigKey.Type.STRING, "", "A token"),
                new ConfigKey("names", ConfigKey.Type.LIST, List.of("x:y", "z"), "Names.")));

        assertThat(t.config()).isEqualTo("""
                | Setting | Env var | Type | Default | Description |
                | --- | --- | --- | --- | --- |
                | `a.b_c` | `A_B_C` | integer | `5` | Some &lt;limit&gt;. |
                | `auth.token` | `AUTH_TOKEN` | string |  | A token. Secret. |
                | `names` | `NAMES` | list | `x:y`, `z` | Names. |
                """);
    }

    /** One message per table that is not what the declarations render (with the difference), or is unknown. */
    static List<String> differences(Map<Path, String> pages, ReferenceTables tables) {
        List<String> problems = new ArrayList<>();
        pages.forEach((path, text) -> {
            List<MarkdownPages.Block> blocks;
            try {
                blocks = MarkdownPages.blocks(text, path.toString());
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
                return;
            }
            for (MarkdownPages.Block b : blocks) {
                String where = path + ":" + b.line() + ": generated table '" + b.key() + "'";
                tables.render(b.key()).ifPresentOrElse(expected -> {
                    if (!expected.equals(b.content())) {
                        problems.add(where + " differs from its declaration:\n"
                                + LineDiff.diff(b.content(), expected, path.toString(), "the declarations"));
                    }
                }, () -> problems.add(where + ": no declaration renders it (known: " + tables.keys() + ")"));
            }
        });
        return problems;
    }

    /** The pages whose tables change, with their new text. */
    static Map<Path, String> rewrite(Map<Path, String> pages, ReferenceTables tables) {
        Map<Path, String> out = new LinkedHashMap<>();
        pages.forEach((path, text) -> {
            List<MarkdownPages.Block> blocks = MarkdownPages.blocks(text, path.toString());
            Map<String, String> rendered = new LinkedHashMap<>();
            for (MarkdownPages.Block b : blocks) {
                tables.render(b.key()).ifPresent(r -> rendered.put(b.key(), r));
            }
            String updated = MarkdownPages.replaceBlocks(text, blocks, rendered);
            if (!updated.equals(text)) {
                out.put(path, updated);
            }
        });
        return out;
    }
}
