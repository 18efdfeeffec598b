package org.falcosecurity.talon.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link of README.md and docs/*.md points at a file that exists and, with an anchor, at a heading of
 * that page; README stays the newcomer path: at most 300 lines, the two commands, a link to every docs page and to
 * ARCHITECTURE.md.
 */
class DocLinksTest {

    @Test
    void everyRelativeLinkResolves() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : MarkdownPages.pages()) {
            for (MarkdownPages.Link link : MarkdownPages.relativeLinks(page, MarkdownPages.read(page))) {
                checked++;
                String problem = problem(link);
                if (problem != null) {
                    broken.add(link.page() + ":" + link.line() + ": " + link.target() + ": " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(50);
    }

    @Test
    void readmeLinksEveryDocsPageAndTheArchitecture() {
        String readme = MarkdownPages.read(MarkdownPages.README);
        List<String> targets = MarkdownPages.relativeLinks(MarkdownPages.README, readme).stream()
                .map(l -> l.target().replaceAll("#.*", "")).toList();
        assertThat(targets).contains("ARCHITECTURE.md");
        for (Path p : MarkdownPages.docsPages()) {
            assertThat(targets).as("README links " + p).contains("docs/" + p.getFileName());
        }
        assertThat(readme.lines().count()).as("README.md lines").isLessThanOrEqualTo(300);
    }

    @Test
    void readmeGivesTheBuildAndRunCommandAndTheTestCommandCiRuns() throws Exception {
        String readme = MarkdownPages.read(MarkdownPages.README);
        assertThat(readme).contains("```shell\n./mvnw -B -q package -DskipTests && java -jar target/falco-talon.jar"
                + " server\n```\n").contains("```shell\n./mvnw -B verify\n```\n");
        assertThat(Files.readString(Path.of(".ci/run"))).contains("\n./mvnw -B verify\n");
    }

    @Test
    void brokenFilesAndAnchorsAreFound() {
        Path page = Path.of("docs/rules.md");
        List<MarkdownPages.Link> links = MarkdownPages.relativeLinks(page, """
                # Rules
                See [config](configuration.md#command-line), [gone](nothing.md), [anchor](#no-such-heading),
                [here](#rules) and [up](../README.md#quick-start).
                `[not a link](nowhere.md)`

                ```
                [in a code block](nowhere.md)
                ```
                """);
        assertThat(links).extracting(MarkdownPages.Link::target).containsExactly("configuration.md#command-line",
                "nothing.md", "#no-such-heading", "#rules", "../README.md#quick-start");
        assertThat(links).extracting(DocLinksTest::problem).containsExactly(null, "no such file",
                "no heading with this anchor in docs/rules.md", null, null);
    }

    @Test
    void anchorsAreTheOnesGitHubMakes() {
        Set<String> anchors = MarkdownPages.anchors("""
                # Falco Talon on Apache Camel
                ## `kubernetes:terminate`
                ## Scale-out with Kafka
                ## Metrics and health
                ## Metrics and health
                ```
                ## not a heading
                ```
                ### The artifact (jar + `lib/`)
                """);
        assertThat(anchors).containsExactly("falco-talon-on-apache-camel", "kubernetesterminate",
                "scale-out-with-kafka", "metrics-and-health", "metrics-and-health-1", "the-artifact-jar--lib");
    }

    /** What is wrong with a link, or {@code null}. */
    static String problem(MarkdownPages.Link link) {
        String target = link.target();
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path dir = link.page().toAbsolutePath().getParent();
        Path resolved = file.isEmpty() ? link.page().toAbsolutePath() : dir.resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor == null) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return "an anchor into a file that is not markdown";
        }
        if (MarkdownPages.anchors(MarkdownPages.read(resolved)).contains(anchor)) {
            return null;
        }
        return "no heading with this anchor in " + Path.of("").toAbsolutePath().relativize(resolved);
    }
}
