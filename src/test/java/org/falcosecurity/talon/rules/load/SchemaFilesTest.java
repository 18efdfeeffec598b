package org.falcosecurity.talon.rules.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.config.ConfigKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code schemas/rules.schema.json} and {@code schemas/config.schema.json} are what {@link JsonSchemas} renders from
 * the declarations (rewrite them with {@code ./mvnw -q test -Dtest=SchemaFilesTest -Dschemas.write=true}); every
 * shipped, test and docs rule file and config validates against them (networknt json-schema-validator, draft
 * 2020-12), and the broken files of {@code bad-rules/} that a schema can express are rejected.
 */
class SchemaFilesTest {

    private static final boolean WRITE = Boolean.getBoolean("schemas.write");
    private static final Path RULES_SCHEMA = Path.of("schemas/rules.schema.json");
    private static final Path CONFIG_SCHEMA = Path.of("schemas/config.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    /** The broken files a schema cannot express: a YAML error, a value check, a reference across blocks. */
    private static final Set<String> NOT_EXPRESSIBLE = Set.of("action-block-no-actionner.yaml", "bad-cidr.yaml",
            "bad-percentage.yaml", "bad-priority.yaml", "duplicate-key.yaml", "empty-tag.yaml", "field-term.yaml",
            "missing-required-parameter.yaml", "no-actions.yaml", "script-and-file.yaml", "tab-indentation.yaml",
            "undefined-action.yaml", "unknown-actionner.yaml", "unknown-notifier.yaml", "yaml-syntax.yaml");

    private static Schema rules;
    private static Schema config;

    @BeforeAll
    static void schemas() throws IOException {
        String rulesText = JsonSchemas.text(JsonSchemas.rules(Builtins.declarations()));
        String configText = JsonSchemas.text(JsonSchemas.config(ConfigKey.ALL, Builtins.declarations().notifiers()));
        if (WRITE) {
            Files.createDirectories(RULES_SCHEMA.getParent());
            Files.writeString(RULES_SCHEMA, rulesText);
            Files.writeString(CONFIG_SCHEMA, configText);
        }
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        rules = registry.getSchema(Files.readString(RULES_SCHEMA), InputFormat.JSON);
        config = registry.getSchema(Files.readString(CONFIG_SCHEMA), InputFormat.JSON);
    }

    @Test
    void theCommittedSchemasAreWhatTheDeclarationsRender() throws IOException {
        String rulesText = JsonSchemas.text(JsonSchemas.rules(Builtins.declarations()));
        String configText = JsonSchemas.text(JsonSchemas.config(ConfigKey.ALL, Builtins.declarations().notifiers()));
        String hint = " differs from what the declarations render: run ./mvnw -q test -Dtest=SchemaFilesTest"
                + " -Dschemas.write=true";
        assertThat(Files.readString(RULES_SCHEMA)).as(RULES_SCHEMA + hint).isEqualTo(rulesText);
        assertThat(Files.readString(CONFIG_SCHEMA)).as(CONFIG_SCHEMA + hint).isEqualTo(configText);
        JsonNode schema = JSON.readTree(rulesText);
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void theSchemaDescribesExactlyTheKeysTheReaderKnows() {
        Map<String, List<String>> keys = JsonSchemas.ruleFileKeys();
        assertThat(keys.get("rule")).containsExactlyInAnyOrderElementsOf(RuleFileReader.RULE_KEYS);
        assertThat(keys.get("match")).containsExactlyInAnyOrderElementsOf(RuleFileReader.MATCH_KEYS);
        assertThat(keys.get("action")).containsExactlyInAnyOrderElementsOf(RuleFileReader.ACTION_KEYS);
        assertThat(keys.get("inline")).containsExactlyInAnyOrderElementsOf(RuleFileReader.INLINE_ACTION_KEYS);
    }

    /**
     * The upstream corpus files whose {@code check} warns about an unknown key or parameter (upstream ignores them,
     * Talon warns): the schema marks those, as an editor should. From {@code upstream/EXPECTED.yaml}.
     */
    private static Set<Path> upstreamFilesWithUnknownKeys() throws IOException {
        Set<Path> out = new HashSet<>();
        Path dir = Path.of("src/test/resources/upstream");
        for (JsonNode f : YAML.readTree(dir.resolve("EXPECTED.yaml").toFile())) {
            if (f.has("with")) {
                continue; // a warning about the file merged with others, not about the file itself
            }
            for (JsonNode w : f.path("warnings")) {
                if (w.asText().contains("unknown parameter") || w.asText().contains("unknown key")) {
                    out.add(dir.resolve(f.get("file").asText()));
                }
            }
        }
        return out;
    }

    @Test
    void everyShippedTestAndDocsRuleFileValidates() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (Path p : List.of(Path.of("rules/rules.yaml"), Path.of("kubernetes/helm/falco-talon/rules.yaml"))) {
            files.put(p.toString(), Files.readString(p));
        }
        Set<Path> warned = upstreamFilesWithUnknownKeys();
        assertThat(warned).isNotEmpty();
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources"))) {
            for (Path p : s.filter(SchemaFilesTest::isYaml).sorted().toList()) {
                // a fuzz seed that starts with "# expect: <error>" is broken on purpose (RulesLoaderFuzzTest)
                if (!p.startsWith("src/test/resources/bad-rules") && !p.startsWith("src/test/resources/warn-rules")
                        && !warned.contains(p) && isRuleFile(Files.readString(p))
                        && !Files.readString(p).startsWith("# expect:")) {
                    files.put(p.toString(), Files.readString(p));
                }
            }
        }
        assertThat(files.keySet()).as("the upstream corpus is validated too")
                .anyMatch(f -> f.startsWith("src/test/resources/upstream/"));
        int docsExamples = 0;
        for (Path page : markdownPages()) {
            int i = 0;
            for (String block : yamlBlocks(page)) {
                i++;
                // the grammar of docs/rules.md (<string, mandatory>, <bool>) is not an example
                if (isRuleFile(block) && !block.contains("<string, mandatory>")) {
                    files.put(page + " (yaml block " + i + ")", block);
                    docsExamples++;
                }
            }
        }
        assertThat(docsExamples).as("rule-file examples in README.md and docs/").isGreaterThanOrEqualTo(15);
        assertThat(problems(rules, files)).isEmpty();
    }

    @Test
    void theFilesCheckWarnsAboutForUnknownKeysAreMarked() throws IOException {
        List<Path> files = new ArrayList<>(upstreamFilesWithUnknownKeys());
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/warn-rules"))) {
            s.sorted().forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path p : files) {
            assertThat(rules.validate(toJson(Files.readString(p)), InputFormat.JSON)).as(p + " is marked")
                    .anyMatch(e -> e.getMessage().contains("is not defined in the schema"));
        }
    }

    @Test
    void theBrokenFilesItCanExpressAreRejected() throws IOException {
        Path dir = Path.of("src/test/resources/bad-rules");
        Set<String> seen = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                seen.add(name);
                if (NOT_EXPRESSIBLE.contains(name)) {
                    continue;
                }
                String json = toJson(Files.readString(p));
                assertThat(json).as(name + " parses as YAML").isNotNull();
                assertThat(rules.validate(json, InputFormat.JSON)).as(name + " is rejected by the schema")
                        .isNotEmpty();
            }
        }
        assertThat(seen).as("every file the list of inexpressible ones names exists").containsAll(NOT_EXPRESSIBLE);
        assertThat(seen.size() - NOT_EXPRESSIBLE.size()).isGreaterThanOrEqualTo(12);
    }

    @Test
    void theSchemaNamesWhatIsWrong() {
        assertThat(messages("- rule: x\n  continue: 'maybe'\n")).anyMatch(m -> m.contains("continue"));
        // upstream's quoted booleans are accepted, as Talon accepts them
        assertThat(messages("- rule: x\n  continue: 'false'\n")).isEmpty();
        assertThat(messages("- rule: x\n  dryrun: true\n")).anyMatch(m -> m.contains("dryrun"));
        assertThat(messages("- rule: x\n  actions: [{action: a, actionner: kubernetes:terminate, ttl: 5m}]\n"))
                .isNotEmpty();
        assertThat(messages("- rule: x\n  actions: [{action: a, actionner: kubernetes:label, ttl: 5m,"
                + " parameters: {labels: {a: b}}}]\n")).isEmpty();
        assertThat(messages("- rule: x\n  actions: [{action: a, actionner: kubernetes:label, ttl: 5 minutes,"
                + " parameters: {labels: {a: b}}}]\n")).anyMatch(m -> m.contains("ttl"));
        assertThat(messages("- rule: x\n  actions: [{action: a, actionner: kubernetes:log,"
                + " parameters: {tail_lines: lots}}]\n")).anyMatch(m -> m.contains("tail_lines"));
    }

    private static List<String> messages(String yaml) {
        return rules.validate(toJson(yaml), InputFormat.JSON).stream().map(Error::toString).toList();
    }

    @Test
    void everyShippedAndDocsConfigValidates() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("config.yaml", Files.readString(Path.of("config.yaml")));
        for (Path page : markdownPages()) {
            int i = 0;
            for (String block : yamlBlocks(page)) {
                i++;
                if (isConfig(block)) {
                    files.put(page + " (yaml block " + i + ")", block);
                }
            }
        }
        assertThat(files).hasSizeGreaterThan(3);
        assertThat(problems(config, files)).isEmpty();
    }

    @Test
    void theConfigSchemaRejectsUnknownKeysAndWrongTypes() {
        assertThat(config.validate(toJson("listen_port: high\n"), InputFormat.JSON)).isNotEmpty();
        assertThat(config.validate(toJson("dryrun: true\n"), InputFormat.JSON)).isNotEmpty();
        assertThat(config.validate(toJson("deduplication: {window: 5}\n"), InputFormat.JSON)).isNotEmpty();
        assertThat(config.validate(toJson("notifiers: {slack: {webhook_url: x, colour: red}}\n"), InputFormat.JSON))
                .isNotEmpty();
        assertThat(config.validate(toJson("notifiers: {mine: {anything: 1}}\nworkers: 2\n"), InputFormat.JSON))
                .isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** For each file (name to YAML text) the schema does not accept: its name and the schema's errors. */
    private static List<String> problems(Schema schema, Map<String, String> files) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            List<Error> errors = schema.validate(toJson(f.getValue()), InputFormat.JSON);
            if (!errors.isEmpty()) {
                problems.add(f.getKey() + ": " + errors);
            }
        }
        return problems;
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** A YAML list of blocks with 'rule' or 'action'. */
    private static boolean isRuleFile(String yaml) {
        try {
            JsonNode n = YAML.readTree(yaml);
            return n != null && n.isArray() && !n.isEmpty() && n.get(0).isObject()
                    && (n.get(0).has("rule") || n.get(0).has("action"));
        } catch (IOException e) {
            return false;
        }
    }

    /** A YAML mapping whose keys are config keys (docs also show Helm values and Camel routes). */
    private static boolean isConfig(String yaml) {
        try {
            JsonNode n = YAML.readTree(yaml);
            if (n == null || !n.isObject() || n.isEmpty()) {
                return false;
            }
            Set<String> top = new HashSet<>();
            ConfigKey.ALL.forEach(k -> top.add(k.name().split("\\.")[0]));
            top.add("notifiers");
            for (var it = n.fieldNames(); it.hasNext(); ) {
                if (!top.contains(it.next())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String toJson(String yaml) {
        try {
            JsonNode n = YAML.readTree(yaml);
            return JSON.writeValueAsString(n == null ? JSON.nullNode() : n);
        } catch (IOException e) {
            return null;
        }
    }

    private static List<Path> markdownPages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(Path.of("README.md"));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<String> yamlBlocks(Path page) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(Files.readString(page));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
