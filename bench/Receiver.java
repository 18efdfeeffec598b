import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhook receiver of the benchmarks: answers 200 to every request on loopback and, at exit, prints how many it
 * got. {@code java -cp 'target/lib/*' bench/Receiver.java PORT [LATENCY_MS]}: with a latency, each answer waits that
 * long (a Vert.x timer, no thread held), as a remote endpoint's round trip would (bench/notify.sh), so requests never
 * wait for one another. Vert.x, on one event loop: the cheapest HTTP server on Talon's class path, because on a
 * 2-core machine the receiver shares the cores with Talon and the load generator, and every request it spends time
 * on is time the benchmark charges to the matched path.
 */
public class Receiver {
    public static void main(String[] args) {
        AtomicLong received = new AtomicLong();
        long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer()
                .requestHandler(request -> request.end().onComplete(done -> {
                    received.incrementAndGet();
                    if (latencyMs > 0) {
                        vertx.setTimer(latencyMs, t -> request.response().setStatusCode(200).end());
                    } else {
                        request.response().setStatusCode(200).end();
                    }
                }))
                .listen(Integer.parseInt(args[0]), "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("received " + received.get())));
    }
}
