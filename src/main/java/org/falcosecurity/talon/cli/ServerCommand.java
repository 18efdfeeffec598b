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
}
