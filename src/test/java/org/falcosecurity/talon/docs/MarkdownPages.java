package org.falcosecurity.talon.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the doc tests read in the markdown pages: the pages themselves (README.md and docs/*.md), their generated
 * blocks, their headings (as the anchors GitHub gives them) and their relative links.
 */
final class MarkdownPages {

    static final Path README = Path.of("README.md");
    static final Path DOCS = Path.of("docs");

    static final String BEGIN_PREFIX = "<!-- generated: ";
    static final String BEGIN_SUFFIX = " -->";
    static final String END = "<!-- end generated -->";

    /** {@code [text](target)}, not an image's; the target without a title. */
    private static final Pattern LINK = Pattern.compile("(?<!!)\\[([^\\]]*)]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

    /** A generated block: its key, the text between its marker lines, and where that text is in the page. */
    record Block(String key, String content, int start, int end, int line) {
    }

    /** A relative link: the page it is on, its line, and its target ({@code file.md#anchor}, {@code #anchor}). */
    record Link(Path page, int line, String target) {
    }

    private MarkdownPages() {
    }

    /** README.md, then docs/*.md by name. */
    static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(README);
        pages.addAll(docsPages());
        return pages;
    }

    static List<Path> docsPages() {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path page) {
        try {
            return Files.readString(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The generated blocks of a page, in order (markers inside a fenced code block outside a generated block are
     * text, not markers). A begin marker without its end, or a second begin before the end, is an error naming the
     * line.
     */
    static List<Block> blocks(String page, String name) {
        List<Block> blocks = new ArrayList<>();
        int pos = 0;
        int lineNo = 1;
        String open = null;
        int contentStart = -1;
        int openLine = -1;
        String fence = null;
        while (pos < page.length()) {
            int eol = page.indexOf('\n', pos);
            int next = eol < 0 ? page.length() : eol + 1;
            String line = page.substring(pos, eol < 0 ? page.length() : eol).strip();
            if (open == null && (fence != null || line.startsWith("```") || line.startsWith("~~~"))) {
                if (fence == null) {
                    fence = line.substring(0, 3);
                } else if (line.startsWith(fence)) {
                    fence = null;
                }
            } else if (line.startsWith(BEGIN_PREFIX) && line.endsWith(BEGIN_SUFFIX)) {
                if (open != null) {
                    throw new IllegalStateException(name + ":" + lineNo + ": a generated block begins inside '"
                            + open + "' (line " + openLine + "), which has no " + END);
                }
                open = line.substring(BEGIN_PREFIX.length(), line.length() - BEGIN_SUFFIX.length()).strip();
                contentStart = next;
                openLine = lineNo;
            } else if (line.equals(END)) {
                if (open == null) {
                    throw new IllegalStateException(name + ":" + lineNo + ": " + END + " without a begin marker");
                }
                blocks.add(new Block(open, page.substring(contentStart, pos), contentStart, pos, openLine));
                open = null;
            }
            pos = next;
            lineNo++;
        }
        if (open != null) {
            throw new IllegalStateException(name + ":" + openLine + ": generated block '" + open + "' has no " + END);
        }
        return blocks;
    }

    /** The page with each block's text replaced by {@code replacement.get(key)} (blocks not in it are kept). */
    static String replaceBlocks(String page, List<Block> blocks, Map<String, String> replacement) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (Block b : blocks) {
            out.append(page, pos, b.start());
            out.append(replacement.getOrDefault(b.key(), b.content()));
            pos = b.end();
        }
        return out.append(page.substring(pos)).toString();
    }

    /** The lines of a page outside fenced code blocks, by line number (1-based); fenced lines are blank. */
    static List<String> proseLines(String page) {
        List<String> out = new ArrayList<>();
        String fence = null;
        for (String line : page.split("\n", -1)) {
            String t = line.strip();
            if (fence == null && (t.startsWith("```") || t.startsWith("~~~"))) {
                fence = t.substring(0, 3);
                out.add("");
            } else if (fence != null) {
                if (t.startsWith(fence)) {
                    fence = null;
                }
                out.add("");
            } else {
                out.add(line);
            }
        }
        return out;
    }

    /** The anchors of a page's headings, as GitHub makes them (duplicates get {@code -1}, {@code -2}, ...). */
    static Set<String> anchors(String page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : proseLines(page)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String slug = slug(m.group(2));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    /**
     * GitHub's heading anchor: the text without markdown link targets, lower-cased, every character but letters,
     * digits, spaces, {@code -} and {@code _} dropped, spaces turned into {@code -}.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
            } else if (c == ' ') {
                out.append('-');
            }
        });
        return out.toString();
    }

    /** The relative links of a page (not {@code http:}, {@code https:}, {@code mailto:}), outside code. */
    static List<Link> relativeLinks(Path page, String text) {
        List<Link> links = new ArrayList<>();
        List<String> lines = proseLines(text);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceAll("`[^`]*`", "``");
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                String target = m.group(2);
                if (!target.matches("(?i)^(https?|mailto):.*")) {
                    links.add(new Link(page, i + 1, target));
                }
            }
        }
        return links;
    }
}
