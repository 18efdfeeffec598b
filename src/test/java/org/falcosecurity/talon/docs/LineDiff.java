package org.falcosecurity.talon.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two short texts (longest common subsequence), for test messages: {@code -} lines are only in the
 * first text, {@code +} lines only in the second, two lines of context around each change.
 */
final class LineDiff {

    private static final int CONTEXT = 2;

    private LineDiff() {
    }

    static String diff(String before, String after, String beforeName, String afterName) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> ops = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                ops.add("  " + a[i++]);
                j++;
            } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add("- " + a[i++]);
            } else {
                ops.add("+ " + b[j++]);
            }
        }
        StringBuilder out = new StringBuilder("--- " + beforeName + "\n+++ " + afterName + "\n");
        int last = -1;
        for (int k = 0; k < ops.size(); k++) {
            if (ops.get(k).startsWith("  ")) {
                continue;
            }
            int from = Math.max(Math.max(0, k - CONTEXT), last + 1);
            if (last >= 0 && from > last + 1) {
                out.append("...\n");
            }
            int to = k;
            while (to + 1 < ops.size() && (!ops.get(to + 1).startsWith("  ") || nearChange(ops, to + 1))) {
                to++;
            }
            to = Math.min(ops.size() - 1, to + CONTEXT);
            for (int x = from; x <= to; x++) {
                out.append(ops.get(x)).append('\n');
            }
            last = to;
            k = to;
        }
        return out.toString();
    }

    /** Whether a change follows within the context distance (so the two hunks are shown as one). */
    private static boolean nearChange(List<String> ops, int k) {
        for (int x = k; x < Math.min(ops.size(), k + 2 * CONTEXT + 1); x++) {
            if (!ops.get(x).startsWith("  ")) {
                return true;
            }
        }
        return false;
    }
}
