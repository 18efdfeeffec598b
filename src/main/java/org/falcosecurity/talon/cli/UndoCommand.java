package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.config.ConfigException;
import org.falcosecurity.talon.config.ConfigLocator;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesClients;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "undo", mixinStandardHelpOptions = true,
        description = {
            "Revert now what the actions of one event changed, for those with a ttl (labels and annotations",
            "restored, the NetworkPolicy deleted, the node uncordoned). With --server, asks a running Talon",
            "(POST /undo with the config's token: the reverts go to the rules' notifiers and the audit trail);",
            "else reverts through the config's cluster access and prints the result records.",
            "Exit code: 0 something was reverted, 1 nothing to undo or an error."})
public class UndoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    TalonCommand parent;

    @Option(names = "--trace-id", required = true, paramLabel = "ID", description = "The event's trace id")
    String traceId;

    @Option(names = "--server", paramLabel = "URL", description = "A running Talon, e.g. http://127.0.0.1:2803")
    String server;

    @Override
    public Integer call() throws Exception {
        Logging.forCli();
        TalonConfig config;
        try {
            config = TalonConfig.resolve(parent.config, ConfigLocator.DEFAULT_CONFIG, System.getenv());
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return 1;
        }
        return server != null ? viaServer(config) : direct(config);
    }

    private int viaServer(TalonConfig config) throws IOException, InterruptedException {
        String token = config.authToken();
        if (token.isEmpty()) {
            System.err.println("error: POST /undo needs the intake's token: set auth.token or auth.token_file in the"
                    + " config");
            return 1;
        }
        String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/undo"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("trace_id", traceId)
                        .toString()))
                .build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        (r.statusCode() == 200 ? System.out : System.err).println(r.body());
        return r.statusCode() == 200 ? 0 : 1;
    }

    private int direct(TalonConfig config) throws IOException {
        KubernetesClients.Connection c = KubernetesClients.connect(config.kubeconfig(), System.getenv());
        try {
            if (!c.configured()) {
                System.err.println("error: " + ClusterAccess.NOT_CONFIGURED);
                return 1;
            }
            Reverts reverts = new Reverts(new ClusterAccess(() -> c), Duration.ofSeconds(30));
            List<ActionResult> done = reverts.undo(traceId);
            done.forEach(r -> System.out.println(r.getJson()));
            if (done.isEmpty()) {
                System.err.println("error: no pending revert has trace id " + traceId);
                return 1;
            }
            return 0;
        } finally {
            c.close();
        }
    }
}
