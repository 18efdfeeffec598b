package org.falcosecurity.talon.support;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Captures every log line (formatted message plus exception text) while open. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    /** Levels of the loggers {@link #openAtInfo()} opened up, restored on close. */
    private final java.util.Map<String, org.apache.logging.log4j.Level> quieted = new java.util.HashMap<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture open() {
        LogCapture c = new LogCapture();
        c.attach();
        return c;
    }

    /**
     * Like {@link #open()}, and the loggers the test config quiets (Camel, clients: WARN) log at INFO meanwhile, so
     * a test can assert that nothing a production log would show (INFO and up) holds a secret.
     */
    public static LogCapture openAtInfo() {
        LogCapture c = new LogCapture();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        for (LoggerConfig lc : ctx.getConfiguration().getLoggers().values()) {
            if (!lc.getName().isEmpty() && lc.getLevel().isMoreSpecificThan(org.apache.logging.log4j.Level.WARN)) {
                c.quieted.put(lc.getName(), lc.getLevel());
                lc.setLevel(org.apache.logging.log4j.Level.INFO);
            }
        }
        c.attach();
        return c;
    }

    private void attach() {
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        for (LoggerConfig lc : config.getLoggers().values()) {
            lc.addAppender(this, null, null);
        }
        config.getRootLogger().addAppender(this, null, null);
        ctx.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " "
                + event.getMessage().getFormattedMessage());
        Throwable t = event.getThrown();
        while (t != null) {
            sb.append(" | ").append(t).append(java.util.Arrays.toString(t.getStackTrace()));
            t = t.getCause();
        }
        event.getContextData().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        lines.add(sb.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String all() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        for (LoggerConfig lc : config.getLoggers().values()) {
            lc.removeAppender(getName());
        }
        config.getRootLogger().removeAppender(getName());
        quieted.forEach((name, level) -> config.getLoggerConfig(name).setLevel(level));
        ctx.updateLoggers();
        stop();
    }
}
