import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The baseline of every benchmark: a bare Camel Main application with a platform-http-vertx route that answers
 * 200 to a POST and to {@code GET /healthz}, on Talon's class path, on loopback. bench/startup.sh compiles it first
 * (the source launcher would add its compilation to the start time) and runs
 * {@code java -cp DIR:target/falco-talon.jar:target/lib/* Bare PORT}; bench/intake.sh and bench/latency.sh run it with
 * the source launcher ({@code java -cp 'target/falco-talon.jar:target/lib/*' bench/Bare.java PORT}).
 */
public class Bare {

    public static class Routes extends RouteBuilder {
        @Override
        public void configure() {
            from("platform-http:/").routeId("bare").setBody(constant("{\"status\":\"accepted\"}"));
            from("platform-http:/healthz").routeId("healthz").setBody(constant("{\"status\":\"ok\"}"));
        }
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addRoutesBuilder(new Routes());
        main.configure().setBasePackageScanEnabled(false);
        main.setPropertyPlaceholderLocations("classpath:none.properties;optional=true");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.host", "127.0.0.1");
        main.addOverrideProperty("camel.server.port", args.length > 0 ? args[0] : "2803");
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:nothing/*.yaml");
        main.run();
    }
}
