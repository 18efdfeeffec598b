package org.falcosecurity.talon.catalog;

/** Whether an actionner's action may, or must, send an artifact to an output target ({@code output:}). */
public enum OutputUse {
    /** An {@code output} block is an error. */
    NONE,
    /** An {@code output} block is optional. */
    ALLOWED,
    /** An {@code output} block is required. */
    REQUIRED
}
