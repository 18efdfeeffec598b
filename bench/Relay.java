import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The ceiling of the intake benchmark's matched case: the least any Camel application must do for an event that
 * yields two results, each sent to a {@code file} and a {@code webhook} notifier, with nothing of Talon in it. A bare
 * Camel Main application (as {@code bench/Bare.java}) whose platform-http-vertx route, for each POST, twice appends
 * the body as one line to a file (camel-stream, kept open, as Talon's file notifier) and POSTs it to the webhook
 * receiver (camel-vertx-http, as Talon's webhook notifier), then answers 200. No parsing, no rules, no queues: its ratio
 * to the bare route is what the machine allows the matched case when the receiver shares its cores.
 * {@code java -cp 'target/falco-talon.jar:target/lib/*' bench/Relay.java PORT RECEIVER_PORT FILE}.
 */
public class Relay {

    public static class Routes extends RouteBuilder {
        private final String receiver;
        private final String file;

        Routes(String receiver, String file) {
            this.receiver = receiver;
            this.file = file;
        }

        @Override
        public void configure() {
            from("platform-http:/").routeId("relay")
                    .convertBodyTo(String.class)
                    .setProperty("event", body())
                    .removeHeaders("*")
                    .loop(2)
                        .setBody(simple("${exchangeProperty.event}\n"))
                        .convertBodyTo(byte[].class)
                        .to("stream:file?fileName=" + file + "&autoCloseCount=100&appendNewLine=false")
                        .setBody(exchangeProperty("event"))
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/json; charset=utf-8"))
                        .to("vertx-http:http://127.0.0.1:" + receiver + "/")
                        .removeHeaders("*")
                    .end()
                    .setBody(constant("{\"status\":\"accepted\"}"));
            from("platform-http:/healthz").routeId("healthz").setBody(constant("{\"status\":\"ok\"}"));
        }
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addRoutesBuilder(new Routes(args[1], args[2]));
        main.configure().setBasePackageScanEnabled(false);
        main.setPropertyPlaceholderLocations("classpath:none.properties;optional=true");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.host", "127.0.0.1");
        main.addOverrideProperty("camel.server.port", args[0]);
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:nothing/*.yaml");
        main.run();
    }
}
