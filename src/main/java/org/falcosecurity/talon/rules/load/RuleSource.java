package org.falcosecurity.talon.rules.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The text of one rule file.
 *
 * @param name       how messages name it (its path)
 * @param content    the YAML text
 * @param directory  where relative paths in it (such as a script {@code file}) are resolved; may be null
 */
public record RuleSource(String name, String content, Path directory) {

    public static RuleSource of(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        return new RuleSource(file.toString(), Files.readString(file, StandardCharsets.UTF_8), abs.getParent());
    }
}
