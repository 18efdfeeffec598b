package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream compatibility corpus (src/test/resources/upstream, SOURCES.md): `check` says about each file exactly
 * what EXPECTED.yaml says (exit code, each warning and error, no other); every file of the corpus has an entry; a
 * file that fails says why, and the two upstream examples that are not valid YAML get a YAML error.
 */
class UpstreamCorpusTest {

    private static final Path CORPUS = Path.of("src/test/resources/upstream");
    private static JsonNode expected;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void read() throws Exception {
        expected = new YAMLMapper().readTree(CORPUS.resolve("EXPECTED.yaml").toFile());
    }

    @TestFactory
    Stream<DynamicTest> checkSaysWhatIsExpected() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode e : expected) {
            String kind = e.path("kind").asText();
            if (!kind.equals("rules") && !kind.equals("config")) {
                continue;
            }
            String name = e.path("file").asText() + (e.has("with") ? " after " + e.path("with") : "");
            tests.add(DynamicTest.dynamicTest(name, () -> check(e, kind)));
        }
        return tests.stream();
    }

    private static void check(JsonNode e, String kind) throws Exception {
        Path file = CORPUS.resolve(e.path("file").asText());
        List<String> args = new ArrayList<>(List.of("check"));
        if (kind.equals("config")) {
            args.addAll(List.of("-c", file.toString(), "-r",
                    Files.writeString(tmp.resolve("empty-rules.yaml"), "").toString()));
        } else {
            // no config of the working directory: the packaged default
            args.addAll(List.of("-c", Files.writeString(tmp.resolve("config.yaml"), "").toString()));
            for (JsonNode w : e.path("with")) {
                args.addAll(List.of("-r", CORPUS.resolve(w.asText()).toString()));
            }
            args.addAll(List.of("-r", file.toString()));
        }
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        String all = r.out() + r.err();
        assertThat(r.exit()).as(all).isEqualTo(e.path("ok").asBoolean() ? 0 : 1);
        assertLines(r.err(), "warning: ", e.path("warnings"), all);
        assertLines(r.err(), "error: ", e.path("errors"), all);
        if (!e.path("ok").asBoolean()) {
            assertThat(e.path("why").asText()).as("why it fails").isNotBlank();
        }
    }

    private static void assertLines(String output, String prefix, JsonNode wanted, String all) {
        List<String> lines = output.lines().filter(l -> l.startsWith(prefix)).toList();
        List<String> want = new ArrayList<>();
        wanted.forEach(w -> want.add(w.asText()));
        assertThat(lines).as(prefix + "lines of\n" + all).hasSize(want.size());
        for (String w : want) {
            assertThat(lines).as(prefix + w).anySatisfy(l -> assertThat(l).contains(w));
        }
    }

    @Test
    void everyFileOfTheCorpusHasAnEntry() throws Exception {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.walk(CORPUS)) {
            s.filter(Files::isRegularFile).map(p -> CORPUS.relativize(p).toString())
                    .filter(p -> !p.equals("SOURCES.md") && !p.equals("EXPECTED.yaml")).forEach(files::add);
        }
        Set<String> listed = new TreeSet<>();
        expected.forEach(e -> listed.add(e.path("file").asText()));
        assertThat(listed).isEqualTo(files);
        String sources = Files.readString(CORPUS.resolve("SOURCES.md"));
        for (String f : files) {
            String base = Path.of(f).getFileName().toString();
            // every file (or its pattern, <category>-<name>) is named in SOURCES.md
            assertThat(sources.contains(base) || sources.contains(Path.of(f).getParent().getFileName() + "/"))
                    .as("SOURCES.md names " + f).isTrue();
        }
    }

    @Test
    void theFilesOtherTestsCheckNameTheirTest() throws Exception {
        for (JsonNode e : expected) {
            String kind = e.path("kind").asText();
            assertThat(kind).isIn("rules", "config", "values", "dashboard");
            if (kind.equals("values") || kind.equals("dashboard")) {
                Class<?> test = Class.forName(e.path("tested_by").asText());
                String source = Files.readString(Path.of("src/test/java", test.getName().replace('.', '/') + ".java"));
                assertThat(source).as(test + " reads " + e.path("file").asText())
                        .contains(Path.of(e.path("file").asText()).getFileName().toString());
                Path file = CORPUS.resolve(e.path("file").asText());
                if (kind.equals("values")) {
                    assertThat(new YAMLMapper().readTree(file.toFile()).isObject()).isTrue();
                } else {
                    assertThat(new ObjectMapper().readTree(file.toFile()).path("panels").size()).isPositive();
                }
            }
        }
    }

    @Test
    void onlyTheTwoExamplesThatAreNotYamlGetAYamlError() {
        List<String> notYaml = new ArrayList<>();
        for (JsonNode e : expected) {
            if (e.path("kind").asText().equals("rules") && e.path("errors").toString().contains("not valid YAML")) {
                notYaml.add(e.path("file").asText());
            }
        }
        assertThat(notYaml).containsExactlyInAnyOrder("falco-talon/examples/actionner-cilium-networkpolicy.yaml",
                "falco-talon/examples/output-aws-s3.yaml");
    }
}
