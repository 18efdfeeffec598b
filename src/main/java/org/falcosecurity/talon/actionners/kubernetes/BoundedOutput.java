package org.falcosecurity.talon.actionners.kubernetes;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Collects command output or logs up to a byte limit, keeping either the first bytes (command output) or the last
 * ones (logs: the latest lines matter), and says what it dropped. Memory never exceeds the limit.
 */
public final class BoundedOutput extends OutputStream {

    private final byte[] buf;
    private final boolean keepTail;
    private long total;

    public BoundedOutput(int limit, boolean keepTail) {
        this.buf = new byte[limit];
        this.keepTail = keepTail;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int cap = buf.length;
        if (cap == 0) {
            total += len;
            return;
        }
        if (!keepTail) {
            int room = (int) Math.max(0, Math.min(cap - total, len));
            System.arraycopy(b, off, buf, (int) total, room);
        } else {
            // ring buffer: byte number n lives at n % cap
            int start = Math.max(0, len - cap);
            for (int i = start; i < len; i++) {
                buf[(int) ((total + i) % cap)] = b[off + i];
            }
        }
        total += len;
    }

    synchronized boolean truncated() {
        return total > buf.length;
    }

    public synchronized long total() {
        return total;
    }

    /** The kept bytes as text (invalid UTF-8, e.g. a character cut at the limit, becomes U+FFFD). */
    synchronized String text() {
        int cap = buf.length;
        byte[] kept;
        if (total <= cap) {
            kept = java.util.Arrays.copyOf(buf, (int) total);
        } else if (!keepTail) {
            kept = buf.clone();
        } else {
            kept = new byte[cap];
            int head = (int) (total % cap);
            System.arraycopy(buf, head, kept, 0, cap - head);
            System.arraycopy(buf, 0, kept, cap - head, head);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(kept)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text plus, when bytes were dropped, a line saying how many and which part was kept. */
    public synchronized String textWithNotice() {
        if (!truncated()) {
            return text();
        }
        String notice = "[truncated: kept the " + (keepTail ? "last " : "first ") + buf.length + " of " + total
                + " bytes]";
        return keepTail ? notice + "\n" + text() : text() + "\n" + notice;
    }
}
