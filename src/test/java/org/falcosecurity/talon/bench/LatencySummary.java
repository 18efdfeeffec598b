package org.falcosecurity.talon.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The summary of a latency run ({@code bench/latency.sh}): from the tab-separated lines {@link LatencyLoad} wrote,
 * per rate and per target, the medians over the rounds, and for each Talon the ratio and the offset of its
 * percentiles to the bare route's of the same round (median of the per-round ratios and offsets). The bare route's
 * latency is one POST answered; Talon's is the POST to the PATCH reaching the simulator.
 *
 * <p>Argument: the results file; the bare route's label is {@code bare}.
 */
public final class LatencySummary {

    /** Columns of a results line. */
    private static final int LABEL = 0;
    private static final int ROUND = 1;
    private static final int RATE = 2;
    private static final int MISSING = 5;
    private static final int P50 = 6;
    private static final int P99 = 7;
    private static final int P999 = 8;
    private static final int MAX = 9;
    private static final int API = 10;
    private static final int TO_FIRST_P99 = 11;
    private static final int GET_TO_PATCH_P99 = 12;
    private static final int POST_P99 = 13;
    private static final int CPU = 14;
    private static final int ALLOCATED = 15;
    private static final int GC_PAUSES = 16;
    private static final int GC_MS = 17;

    private LatencySummary() {
    }

    public static void main(String[] args) throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        Set<String> rates = new LinkedHashSet<>();
        Set<String> labels = new LinkedHashSet<>();
        rows.forEach(r -> {
            rates.add(r[RATE]);
            labels.add(r[LABEL]);
        });
        System.out.println("# summary: medians over the rounds; ratio and offset = Talon's event -> PATCH against"
                + " the bare route's POST round trip in the same round (median of the per-round values)");
        for (String rate : rates) {
            Map<String, Map<String, String[]>> byLabel = new LinkedHashMap<>();
            for (String[] r : rows) {
                if (r[RATE].equals(rate)) {
                    byLabel.computeIfAbsent(r[LABEL], k -> new LinkedHashMap<>()).put(r[ROUND], r);
                }
            }
            Map<String, String[]> bare = byLabel.getOrDefault("bare", Map.of());
            for (String label : labels) {
                Map<String, String[]> runs = byLabel.get(label);
                if (runs == null) {
                    continue;
                }
                StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                        "rate %5s/s %-16s %d round(s): p50 %6.2f ms, p99 %6.2f ms, p99.9 %6.2f ms, max %6.2f ms",
                        rate, label, runs.size(), median(runs.values(), P50), median(runs.values(), P99),
                        median(runs.values(), P999), median(runs.values(), MAX)));
                if ("bare".equals(label)) {
                    out.append(String.format(Locale.ROOT, "; CPU %.2f ms/event", median(runs.values(), CPU)));
                } else {
                    out.append(String.format(Locale.ROOT, "; API calls/event %.2f; p99 POST -> GET %.2f ms, GET ->"
                                    + " PATCH %.2f ms, POST answered %.2f ms; without an action %.0f; Talon's CPU %.2f ms/event,"
                                    + " %.0f KiB/event allocated, %.0f GC pauses per step (%.0f ms)",
                            median(runs.values(), API), median(runs.values(), TO_FIRST_P99),
                            median(runs.values(), GET_TO_PATCH_P99), median(runs.values(), POST_P99),
                            median(runs.values(), MISSING), median(runs.values(), CPU),
                            median(runs.values(), ALLOCATED), median(runs.values(), GC_PAUSES),
                            median(runs.values(), GC_MS)));
                    List<Double> ratio50 = new ArrayList<>();
                    List<Double> ratio99 = new ArrayList<>();
                    List<Double> offset50 = new ArrayList<>();
                    List<Double> offset99 = new ArrayList<>();
                    runs.forEach((round, r) -> {
                        String[] b = bare.get(round);
                        if (b != null) {
                            ratio50.add(value(r, P50) / value(b, P50));
                            ratio99.add(value(r, P99) / value(b, P99));
                            offset50.add(value(r, P50) - value(b, P50));
                            offset99.add(value(r, P99) - value(b, P99));
                        }
                    });
                    if (!ratio99.isEmpty()) {
                        out.append(String.format(Locale.ROOT, "%n    to the bare route: p50 %.1f x (%+.2f ms), p99"
                                        + " %.1f x (%+.2f ms)", median(ratio50), median(offset50), median(ratio99),
                                median(offset99)));
                    }
                }
                System.out.println(out);
            }
        }
    }

    private static double value(String[] row, int column) {
        return Double.parseDouble(row[column]);
    }

    private static double median(java.util.Collection<String[]> rows, int column) {
        return median(rows.stream().map(r -> value(r, column)).toList());
    }

    /** The median (the mean of the two middle values for an even count); NaN for none. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
