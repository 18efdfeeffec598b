import org.apache.camel.*;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * What a route step costs in Camel itself: a route of ten `bean` steps (a method taking the Exchange, called by name,
 * as Talon's YAML routes call their beans), one of ten `process` steps on the same method, and a route of one
 * `setProperty`, each sent 300,000 exchanges, five rounds. {@code java -cp "target/falco-talon.jar:target/lib/*"
 * bench/StepCost.java}
 */
public class StepCost {
    public static class Noop { public void go(Exchange e) { e.setProperty("x", Boolean.TRUE); } }
    public static void main(String[] a) throws Exception {
        CamelContext c = new DefaultCamelContext();
        Noop n = new Noop();
        c.getRegistry().bind("noop", n);
        Processor p = n::go;
        c.getRegistry().bind("noopP", p);
        c.addRoutes(new RouteBuilder() { public void configure() {
            var r = from("direct:bean"); for (int i = 0; i < 10; i++) r = r.bean("noop", "go");
            var q = from("direct:proc"); for (int i = 0; i < 10; i++) q = q.process("noopP");
            from("direct:none").setProperty("y", constant(1));
        }});
        c.start();
        ProducerTemplate t = c.createProducerTemplate();
        for (int round = 0; round < 5; round++) {
            for (String ep : new String[] {"direct:none", "direct:bean", "direct:proc"}) {
                int N = 300_000;
                long s = System.nanoTime();
                for (int i = 0; i < N; i++) t.sendBody(ep, "x");
                long ns = (System.nanoTime() - s) / N;
                System.out.println("round " + round + " " + ep + " " + ns + " ns per exchange");
            }
        }
        c.stop();
    }
}
