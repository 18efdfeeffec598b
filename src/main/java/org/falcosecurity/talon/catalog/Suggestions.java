package org.falcosecurity.talon.catalog;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The known name closest to a misspelt one, for "did you mean ...?" hints: the same name in another case or
 * spelling ({@code ignoreDaemonsets} for {@code ignore_daemonsets}), a few typing errors ({@code dryrun}), or a clear
 * abbreviation of a longer name ({@code gracePeriods} for {@code grace_period_seconds}, {@code contexts} for
 * {@code additional_contexts}).
 */
public final class Suggestions {

    private static final int MIN_AFFIX = 5;
    /** Longer names get no suggestion (the distance costs length × length). */
    private static final int MAX_LENGTH = 128;

    private Suggestions() {
    }

    /** The closest of {@code known} to {@code given}, if one is close enough to be a likely meaning. */
    public static Optional<String> closest(String given, Collection<String> known) {
        if (given == null || given.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String g = normal(given);
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String k : known) {
            int score = score(g, normal(k));
            if (score < bestScore) {
                bestScore = score;
                best = k;
            }
        }
        return bestScore == Integer.MAX_VALUE ? Optional.empty() : Optional.of(best);
    }

    /** {@code " (did you mean x?)"}, or the empty string. */
    public static String hint(String given, Collection<String> known) {
        return closest(given, known).map(k -> " (did you mean " + k + "?)").orElse("");
    }

    /** Lower case, without {@code _}, {@code -} and {@code .}. */
    private static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[_.\\-]", "");
    }

    /** A distance when the names are close enough, else {@link Integer#MAX_VALUE}. */
    private static int score(String g, String k) {
        if (g.isEmpty() || k.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        int d = levenshtein(g, k);
        if (d <= Math.max(1, Math.min(g.length(), k.length()) / 4)) {
            return d;
        }
        int shorter = Math.min(g.length(), k.length());
        int prefix = commonPrefix(g, k);
        if (prefix >= MIN_AFFIX && prefix * 10 >= shorter * 7) {
            return 100 + d;
        }
        if (shorter >= MIN_AFFIX && (k.endsWith(g) || g.endsWith(k))) {
            return 200 + d;
        }
        return Integer.MAX_VALUE;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
    private static int levenshtein(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
