package org.falcosecurity.talon.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version of Falco Talon.")
public class VersionCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Logging.forCli();
        System.out.println(versionLine());
        return 0;
    }

    static String versionLine() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getClassLoader()
                .getResourceAsStream("falco-talon-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // unknown version
        }
        return "falco-talon " + p.getProperty("version", "unknown") + " (Apache Camel "
                + p.getProperty("camel", "unknown") + ", Java " + System.getProperty("java.version") + ")";
    }

    /** For {@code falco-talon --version}. */
    public static class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {versionLine()};
        }
    }
}
