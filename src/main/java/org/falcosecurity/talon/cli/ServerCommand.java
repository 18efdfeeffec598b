package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.config.ConfigException;
import org.falcosecurity.talon.config.ConfigLocator;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.server.TalonServer;
import org.falcosecurity.talon.server.TalonStartupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "server", mixinStandardHelpOptions = true, description = "Start Falco Talon.")
public class ServerCommand implements Callable<Integer> {

    @ParentCommand
    TalonCommand parent;

    @Override
    public Integer call() throws Exception {
        TalonConfig config;
        RuleFiles rules;
        try {
            config = TalonConfig.resolve(parent.config, ConfigLocator.DEFAULT_CONFIG, System.getenv());
            rules = RuleFiles.resolve(parent.rules, config, RuleFiles.DEFAULT_RULES);
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        }
        Logging.forServer(config.logFormat());
        if (rules.isPackaged()) {
            org.slf4j.LoggerFactory.getLogger("falco-talon").warn(
                    "no rule file found; using the packaged example rules (classpath:{})", RuleFiles.PACKAGED_RULES);
        }
        if (ArchiveLauncher.training()) {
            return train(config, rules);
        }
        try {
            TalonServer.create(config, rules, Map.of()).runUntilStopped();
            return 0;
        } catch (TalonStartupException e) {
            System.err.println("error: " + e.summary());
            e.problems().forEach(p -> System.err.println("  " + p));
            return 1;
        } finally {
            Logging.stop();
        }
    }

    /**
     * The build's training run of the class data sharing archive ({@code -Dtalon.archive=train}, see
     * {@link ArchiveLauncher}): starts the server on a free loopback port, asks it {@code GET /healthz} once, stops
     * it, and exits 0 even when it could not start (the build then has no archive and {@code java -jar} runs without
     * one).
     */
    private static int train(TalonConfig config, RuleFiles rules) {
        try {
            String port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = String.valueOf(probe.getLocalPort());
            }
            Map<String, String> loopback = Map.of("camel.server.host", "127.0.0.1", "camel.server.port", port,
                    "camel.management.host", "127.0.0.1", "camel.management.port", port);
            try (TalonServer server = TalonServer.create(config, rules, loopback)) {
                server.start();
                askHealth(Integer.parseInt(port));
            }
            if (ArchiveLauncher.stampTraining()) {
                System.out.println("class data sharing archive: trained");
            }
        } catch (Exception e) {
            System.err.println("warning: no class data sharing archive (the training run failed: " + e + ")");
        } finally {
            Logging.stop();
        }
        return 0;
    }

    /**
     * One {@code GET /healthz}, answered: the classes that serve a request (about 220 of Netty's and Vert.x's, loaded
     * by the first request) go into the archive too, and a probe's first answer does not load them from the jars.
     */
    private static void askHealth(int port) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
    }
}
