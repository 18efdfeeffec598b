import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhook receiver of the intake benchmark's matched case: answers 200 to every request on loopback and, at
 * exit, prints how many it got. {@code java bench/Receiver.java PORT [LATENCY_MS]}: with a latency, each answer
 * waits that long, as a remote endpoint's round trip would (bench/notify.sh), on enough threads that requests never
 * wait for one another.
 */
public class Receiver {
    public static void main(String[] args) throws Exception {
        AtomicLong received = new AtomicLong();
        long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 256);
        server.createContext("/", x -> {
            try (InputStream in = x.getRequestBody()) {
                in.readAllBytes();
            }
            received.incrementAndGet();
            if (latencyMs > 0) {
                try {
                    Thread.sleep(latencyMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.setExecutor(latencyMs > 0 ? Executors.newCachedThreadPool() : Executors.newFixedThreadPool(2));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("received " + received.get())));
        server.start();
    }
}
