package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.audit.AuditQuery;
import org.falcosecurity.talon.rules.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {
            "Print the records of an audit trail (audit.file) that match the filters, oldest first, one JSON line",
            "each; the rotated files (FILE.1, FILE.2, ...) are read too. Exit code: 0, or 1 when FILE cannot be",
            "read or a filter is invalid."})
public class AuditCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The audit file (audit.file)")
    Path file;

    @Option(names = "--trace-id", paramLabel = "ID", description = "Only the records of this trace id")
    String traceId;

    @Option(names = "--pod", paramLabel = "NS/NAME", description = "Only the records about this pod")
    String pod;

    @Option(names = "--since", paramLabel = "DURATION", description = "Only the records of the last DURATION"
            + " (30m, 1h, 2d)")
    String since;

    @Override
    public Integer call() {
        Logging.forCli();
        String ns = null;
        String name = null;
        if (pod != null) {
            int slash = pod.indexOf('/');
            if (slash <= 0 || slash == pod.length() - 1 || pod.indexOf('/', slash + 1) >= 0) {
                System.err.println("error: --pod: expected NAMESPACE/NAME, got '" + pod + "'");
                return 1;
            }
            ns = pod.substring(0, slash);
            name = pod.substring(slash + 1);
        }
        Instant from = null;
        if (since != null) {
            try {
                from = Instant.now().minus(Durations.parse(since));
            } catch (IllegalArgumentException e) {
                System.err.println("error: --since: " + e.getMessage());
                return 1;
            }
        }
        if (!Files.isReadable(file)) {
            System.err.println("error: cannot read " + file);
            return 1;
        }
        try {
            int skipped = new AuditQuery(traceId, ns, name, from).run(file, System.out::println);
            if (skipped > 0) {
                System.err.println("warning: " + skipped + " line(s) of " + file + " are not audit records");
            }
            return 0;
        } catch (IOException e) {
            System.err.println("error: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
    }
}
