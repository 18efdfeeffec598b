package org.falcosecurity.talon.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of the latency benchmark ({@code bench/latency.sh}), a process of its own: posts Falco events
 * at a fixed rate (open loop: the next event leaves at its time whether or not the previous ones were answered), each
 * naming a pod of its own, and stamps each one's send time with {@link System#nanoTime()} — {@code CLOCK_MONOTONIC},
 * the clock the API simulator stamps its receive times with ({@link ApiSimulator}), shared by every process of the
 * machine; checked at start.
 *
 * <p>Targets: the bare route ({@code --target bare=URL[,,PID]}: latency = the POST answered − sent, the floor of one POST on
 * this machine) and Talons ({@code --target NAME=URL,SIMULATOR_URL[,PID]}: latency = the simulator received the
 * event's {@code kubernetes:label} PATCH − the event was sent, split at the first API request, the GET of the pod;
 * with the PID, the CPU time Talon used per event). Each target is warmed up, then for each step (rate, seconds) the
 * targets take turns, {@code --rounds} times, the first of each round rotating: a noisy stretch of this shared
 * machine falls on all of them. One line per step to stdout, one tab-separated line to {@code --results} for
 * {@link LatencySummary}.
 *
 * <p>Arguments: {@code --target ... [--target ...] [--token FILE] --results FILE [--rounds N] [--warmup EVENTS]
 * RATE SECONDS [RATE SECONDS ...]}.
 */
public final class LatencyLoad {

    private static final int WARMUP_RATE = 500;
    private static final long CLOCK_TICK_NANOS = 10_000_000L;

    /** Where events go: a URL, the simulator Talon calls (null for the bare route), Talon's pid (0: unknown). */
    record Target(String label, URI uri, URI sim, long pid) {
        static Target parse(String spec) {
            int eq = spec.indexOf('=');
            String[] parts = spec.substring(eq + 1).split(",");
            return new Target(spec.substring(0, eq), URI.create(parts[0]),
                    parts.length > 1 && !parts[1].isEmpty() ? URI.create(parts[1]) : null,
                    parts.length > 2 ? Long.parseLong(parts[2]) : 0);
        }
    }

    /** One step's raw times: per event, sent and answered (0: not answered), and the status. */
    private record Step(int number, int rate, long[] sent, long[] answered, int[] status, long maxLagNanos,
                        long cpuTicks, double[] jvm) {
    }

    private final HttpClient http;
    private final String authorization;
    private int steps;

    private LatencyLoad(String token) {
        // the client completes responses on this executor (not the common pool, which on 2 cores has a
        // parallelism of 1 and then starts a thread per response)
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "load-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.authorization = token == null ? null : "Bearer " + token;
    }

    public static void main(String[] args) throws Exception {
        List<Target> targets = new ArrayList<>();
        String tokenFile = null;
        Path results = null;
        int rounds = 3;
        int warmup = 10_000;
        List<Integer> plan = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> targets.add(Target.parse(args[++i]));
                case "--token" -> tokenFile = args[++i];
                case "--results" -> results = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> plan.add(Integer.parseInt(args[i]));
            }
        }
        if (targets.isEmpty() || plan.isEmpty() || plan.size() % 2 != 0) {
            System.err.println("usage: LatencyLoad --target NAME=URL[,[SIMULATOR_URL][,PID]]... [--token FILE]"
                    + " --results FILE [--rounds N] [--warmup EVENTS] RATE SECONDS [RATE SECONDS ...]");
            System.exit(2);
        }
        String token = tokenFile == null ? null : Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip();
        LatencyLoad load = new LatencyLoad(token);
        for (Target t : targets) {
            if (t.sim() != null) {
                load.checkClock(t);
            }
            load.checkAccepted(t);
        }
        // warm-up (the JIT compiles the hot path of every process): not measured
        for (Target t : targets) {
            Step w = load.run(t, WARMUP_RATE, Math.max(1, warmup / WARMUP_RATE));
            long missing = load.await(t, w);
            System.out.printf("  warm-up (%s): %d events at %d/s%s%n", t.label(), w.sent.length, WARMUP_RATE,
                    missing > 0 ? ", " + missing + " without an action after 30 s" : "");
        }
        for (int i = 0; i < plan.size(); i += 2) {
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < targets.size(); k++) {
                    Target t = targets.get((k + round - 1) % targets.size());
                    Step step = load.run(t, plan.get(i), plan.get(i + 1));
                    load.await(t, step);
                    String line = load.report(t, round, step);
                    if (results != null) {
                        Files.writeString(results, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    }
                }
            }
        }
        System.exit(0);
    }

    /**
     * The simulator's {@code nanoTime}, asked five times, must fall between this process's send and answer of the
     * request: the two processes read one clock. Exits otherwise (the latencies would mean nothing).
     */
    private void checkClock(Target t) throws Exception {
        long worst = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            long theirs = Long.parseLong(simulator(t, "GET", "/bench/clock").strip());
            long after = System.nanoTime();
            if (theirs < before || theirs > after) {
                System.err.printf("clock check failed: the simulator's nanoTime %d is outside [%d, %d]: the two"
                        + " processes do not share CLOCK_MONOTONIC%n", theirs, before, after);
                System.exit(1);
            }
            worst = Math.max(worst, after - before);
        }
        System.out.printf(Locale.ROOT, "  clock check (%s): the simulator's System.nanoTime() fell inside this"
                + " process's send/answer window 5 times of 5 (windows up to %.2f ms)%n", t.label(), worst / 1e6);
    }

    /** One event, synchronously: anything but 200 (a wrong token, a stopped Talon) ends the run at once. */
    private void checkAccepted(Target t) throws Exception {
        HttpResponse<String> r = http.send(post(t, event(0, -1)), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            System.err.println(t.label() + ": the first event got " + r.statusCode() + ": " + r.body());
            System.exit(1);
        }
    }

    private String simulator(Target t, String method, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(t.sim().resolve(path)).timeout(Duration.ofSeconds(30));
        b = "POST".equals(method) ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(method + " " + path + " on the simulator: " + r.statusCode());
        }
        return r.body();
    }

    /** The event of step {@code step}, number {@code i}: a Falco syscall event on pod {@code lat-<step>-<i>}. */
    private static String event(int step, int i) {
        String pod = "lat-" + step + "-" + (i < 0 ? "check" : Integer.toString(i));
        return "{\"uuid\":\"00000000-0000-4000-8000-" + String.format(Locale.ROOT, "%012d", Math.max(0, i))
                + "\",\"rule\":\"Latency bench\",\"priority\":\"Critical\",\"source\":\"syscall\",\"hostname\":\""
                + ApiSimulator.NODE + "\",\"time\":\"2026-12-01T12:00:00.000000000Z\",\"output\":\"12:00:00.000000000:"
                + " Critical shell in " + pod + "\",\"output_fields\":{\"k8s.ns.name\":\"" + ApiSimulator.NAMESPACE
                + "\",\"k8s.pod.name\":\"" + pod + "\",\"container.id\":\"" + ApiSimulator.CONTAINER_ID.substring(0, 12)
                + "\"}}";
    }

    private HttpRequest post(Target t, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(t.uri()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    /** Posts {@code rate} events a second for {@code seconds}, open loop; waits (at most 30 s) for the answers. */
    private Step run(Target t, int rate, int seconds) throws IOException, InterruptedException {
        if (t.sim() != null) {
            simulator(t, "POST", "/bench/reset");
        }
        int number = ++steps;
        int n = rate * seconds;
        long[] sent = new long[n];
        long[] answered = new long[n];
        int[] status = new int[n];
        CountDownLatch done = new CountDownLatch(n);
        long cpu = cpuTicks(t);
        double[] jvm = jvm(t);
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime() + 1_000_000;
        long maxLag = 0;
        for (int i = 0; i < n; i++) {
            long due = start + i * period;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            maxLag = Math.max(maxLag, now - due);
            int k = i;
            HttpRequest request = post(t, event(number, i));
            sent[k] = System.nanoTime();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                answered[k] = System.nanoTime();
                status[k] = e != null ? -1 : r.statusCode();
                done.countDown();
            });
        }
        done.await(30, TimeUnit.SECONDS);
        return new Step(number, rate, sent, answered, status, maxLag, cpu, jvm);
    }

    /**
     * Waits (at most 30 s without progress) until the simulator got the PATCH of every event of the step; returns
     * how many it did not get.
     */
    private long await(Target t, Step step) throws Exception {
        if (t.sim() == null) {
            return 0;
        }
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            long count = Long.parseLong(simulator(t, "GET", "/bench/count").strip());
            if (count >= step.sent.length) {
                return 0;
            }
            if (count != last) {
                last = count;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(30)) {
                return step.sent.length - count;
            }
            Thread.sleep(20);
        }
    }

    /** User + system CPU time of the target's process, in clock ticks (-1: unknown). */
    private static long cpuTicks(Target t) {
        if (t.pid() <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + t.pid() + "/stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * From Talon's {@code /metrics} (Micrometer's JVM metrics): bytes allocated (counted at each collection, so
     * to one young generation's size), collection pauses and their total seconds; null for the bare route or when
     * unavailable.
     */
    private double[] jvm(Target t) {
        if (t.sim() == null) {
            return null;
        }
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(t.uri().resolve("/metrics")).timeout(Duration.ofSeconds(10));
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            double[] out = new double[3];
            for (String line : r.body().split("\n")) {
                int sp = line.lastIndexOf(' ');
                if (sp < 0 || line.startsWith("#")) {
                    continue;
                }
                double v = Double.parseDouble(line.substring(sp + 1));
                if (line.startsWith("jvm_gc_memory_allocated_bytes_total")) {
                    out[0] += v;
                } else if (line.startsWith("jvm_gc_pause_seconds_count")) {
                    out[1] += v;
                } else if (line.startsWith("jvm_gc_pause_seconds_sum")) {
                    out[2] += v;
                }
            }
            return out;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return null;
        }
    }

    /** Prints the step's line and returns its tab-separated record. */
    private String report(Target t, int round, Step step) throws Exception {
        long cpuNow = cpuTicks(t);
        double[] jvmNow = jvm(t);
        double[] jvm = step.jvm == null || jvmNow == null ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : new double[] {(jvmNow[0] - step.jvm[0]) / 1024 / step.sent.length, jvmNow[1] - step.jvm[1],
                        (jvmNow[2] - step.jvm[2]) * 1000};
        int n = step.sent.length;
        long refused = Arrays.stream(step.status).filter(s -> s != 200).count();
        long[] post = new long[n];
        int answered = 0;
        for (int i = 0; i < n; i++) {
            if (step.status[i] == 200) {
                post[answered++] = step.answered[i] - step.sent[i];
            }
        }
        post = sorted(post, answered);
        long[] total = post;
        long[] toFirst = new long[0];
        long[] firstToPatch = new long[0];
        double apiPerEvent = 0;
        if (t.sim() != null) {
            total = new long[n];
            toFirst = new long[n];
            firstToPatch = new long[n];
            int p = 0;
            int f = 0;
            long requests = 0;
            String prefix = "lat-" + step.number + "-";
            for (String line : simulator(t, "GET", "/bench/arrivals").split("\n")) {
                String[] c = line.split(" ");
                if (c.length != 4 || !c[0].startsWith(prefix)) {
                    continue;
                }
                int i = Integer.parseInt(c[0].substring(prefix.length()));
                long first = Long.parseLong(c[2]);
                long patch = Long.parseLong(c[3]);
                requests += Long.parseLong(c[1]);
                toFirst[f++] = first - step.sent[i];
                if (patch != 0) {
                    total[p] = patch - step.sent[i];
                    firstToPatch[p++] = patch - first;
                }
            }
            total = sorted(total, p);
            toFirst = sorted(toFirst, f);
            firstToPatch = sorted(firstToPatch, p);
            apiPerEvent = (double) requests / n;
        }
        long missing = t.sim() == null ? 0 : n - total.length;
        double cpuPerEvent = step.cpuTicks < 0 || cpuNow < 0 ? Double.NaN
                : (cpuNow - step.cpuTicks) * CLOCK_TICK_NANOS / 1e6 / n;
        System.out.printf(Locale.ROOT, "%-8s round %d: rate %5d events/s for %3d s: %6d events, %d not accepted, %d"
                        + " without an action; latency p50 %7.2f ms, p99 %7.2f ms, p99.9 %7.2f ms, max %7.2f ms%n",
                t.label(), round, step.rate, n / step.rate, n, refused, missing, pct(total, 50), pct(total, 99),
                pct(total, 99.9), pct(total, 100));
        if (t.sim() == null && t.pid() > 0) {
            System.out.printf(Locale.ROOT, "  bare route: CPU %.2f ms/event%n", cpuPerEvent);
        }
        if (t.sim() != null) {
            System.out.printf(Locale.ROOT, "  API requests per event: %.2f; POST -> first API request (the GET): p50"
                            + " %.2f ms, p99 %.2f ms; GET -> PATCH: p50 %.2f ms, p99 %.2f ms; POST answered: p50 %.2f"
                            + " ms, p99 %.2f ms%n  Talon: CPU %.2f ms/event, allocated %.0f KiB/event, %.0f GC pauses"
                            + " (%.0f ms in all)%n", apiPerEvent, pct(toFirst, 50), pct(toFirst, 99),
                    pct(firstToPatch, 50), pct(firstToPatch, 99), pct(post, 50), pct(post, 99), cpuPerEvent, jvm[0],
                    jvm[1], jvm[2]);
        }
        if (step.maxLagNanos > 2_000_000) {
            System.out.printf(Locale.ROOT, "  the load generator sent an event %.2f ms after its time%n",
                    step.maxLagNanos / 1e6);
        }
        return String.join("\t", t.label(), Integer.toString(round), Integer.toString(step.rate),
                Integer.toString(n), Long.toString(refused), Long.toString(missing), fmt(pct(total, 50)),
                fmt(pct(total, 99)), fmt(pct(total, 99.9)), fmt(pct(total, 100)), fmt(apiPerEvent),
                fmt(pct(toFirst, 99)), fmt(pct(firstToPatch, 99)), fmt(pct(post, 99)), fmt(cpuPerEvent),
                fmt(jvm[0]), fmt(jvm[1]), fmt(jvm[2]));
    }

    private static long[] sorted(long[] a, int n) {
        long[] out = Arrays.copyOf(a, n);
        Arrays.sort(out);
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The p-th percentile in ms (nearest rank); NaN for no value. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
