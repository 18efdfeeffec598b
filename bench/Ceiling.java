import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The ceiling of the intake benchmark: a bare Camel platform-http-vertx route, in the same JVM settings, that only
 * answers 200 to a POST. Run with Talon's classpath:
 * {@code java -cp 'target/falco-talon.jar:target/lib/*' bench/Ceiling.java PORT}.
 */
public class Ceiling {

    public static class Routes extends RouteBuilder {
        @Override
        public void configure() {
            from("platform-http:/").routeId("ceiling").setBody(constant("{\"status\":\"accepted\"}"));
        }
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addRoutesBuilder(new Routes());
        main.configure().setBasePackageScanEnabled(false);
        main.setPropertyPlaceholderLocations("classpath:none.properties;optional=true");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.port", args.length > 0 ? args[0] : "2803");
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:nothing/*.yaml");
        main.run();
    }
}
