// Starts a single-node Elasticsearch 9.5 in this JVM, for ElasticsearchNotifierTest. Run as a single-file program
// with Java 21+ (Temurin 25 here), the server jars on the module path:
//   java -p target/es-node/lib --add-modules ALL-MODULE-PATH src/test/es-node/EsLauncher.java HOME PORT
// HOME holds modules/transport-netty4 (copied by the pom). Prints "ES-READY <port>" once the node has started.
// Embedding Node skips the bootstrap checks, entitlements and the security manager of the stock launcher.

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class EsLauncher {

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path data = Files.createTempDirectory("es-data");
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("plugins"));
        Settings settings = Settings.builder()
                .put("cluster.name", "talon-test")
                .put("node.name", "talon-test-es")
                .put("path.home", home.toString())
                .put("path.data", data.toString())
                .put("path.logs", data.resolve("logs").toString())
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", port)
                .put("transport.port", "9300-9400")
                .put("action.auto_create_index", true)
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);
        Environment env = new Environment(settings, home.resolve("config"));
        PluginsLoader loader = PluginsLoader.createPluginsLoader(
                PluginsLoader.loadModulesBundles(env.modulesDir(), false),
                PluginsLoader.loadPluginsBundles(env.pluginsDir(), false), Map.of());
        Node node = new Node(env, loader);
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        System.out.println("ES-READY " + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
