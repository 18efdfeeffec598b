package org.falcosecurity.talon.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the config file: the {@code -c} file (which must exist); else {@code /etc/falco-talon/config.yaml}; else
 * {@code config.yaml} in the working directory; else the packaged default. Then hands its text to
 * {@link ConfigBinder}.
 */
public final class ConfigLocator {

    public static final Path DEFAULT_CONFIG = Path.of("/etc/falco-talon/config.yaml");
    public static final String PACKAGED_CONFIG = "config.yaml";

    private ConfigLocator() {
    }

    public static TalonConfig resolve(Path flag, Path defaultConfig, Map<String, String> env) throws ConfigException {
        if (flag != null) {
            return load(flag, true, env);
        }
        if (defaultConfig != null && Files.isRegularFile(defaultConfig)) {
            return load(defaultConfig, true, env);
        }
        Path local = Path.of(PACKAGED_CONFIG);
        if (Files.isRegularFile(local)) {
            return load(local, true, env);
        }
        return loadResource(PACKAGED_CONFIG, env);
    }

    /**
     * Loads a config file.
     *
     * @param file     the file, or {@code null} for defaults only
     * @param explicit whether the user named the file: a missing explicit file is an error, a missing default is not
     */
    public static TalonConfig load(Path file, boolean explicit, Map<String, String> env) throws ConfigException {
        if (file == null || (!explicit && !Files.exists(file))) {
            return ConfigBinder.bind(null, "defaults", env);
        }
        if (!Files.isRegularFile(file)) {
            throw ConfigException.of(file.toString(), "config file not found");
        }
        try {
            return ConfigBinder.bind(Files.readString(file, StandardCharsets.UTF_8), file.toString(), env);
        } catch (IOException e) {
            throw ConfigException.of(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** Loads a config from the classpath (the packaged default). */
    public static TalonConfig loadResource(String resource, Map<String, String> env) throws ConfigException {
        try (InputStream in = ConfigLocator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return ConfigBinder.bind(null, "defaults", env);
            }
            return ConfigBinder.bind(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + resource,
                    env);
        } catch (IOException e) {
            throw ConfigException.of("classpath:" + resource, "cannot read: " + e.getMessage());
        }
    }
}
