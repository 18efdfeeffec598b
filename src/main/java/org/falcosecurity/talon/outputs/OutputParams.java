package org.falcosecurity.talon.outputs;

import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;

import java.util.regex.Pattern;

/**
 * The parameters the built-in output targets share. A class of their own, so that the targets' declarations and
 * {@link OutputTargets#ALL} never depend on each other's initialisation order.
 */
final class OutputParams {

    private static final Pattern S3_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
    private static final Pattern GCS_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$");
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9!_.*'()/-]{0,512}$");

    static final ParamSpec S3_BUCKET_PARAM = ParamSpec.required("bucket", ParamSpec.Type.STRING)
            .withCheck(v -> S3_BUCKET.matcher((String) v).matches() ? null
                    : "is not a bucket name (3 to 63 lower-case letters, digits, '.' and '-'), got '" + v + "'")
            .describedAs("Destination bucket (it must exist)");
    static final ParamSpec GCS_BUCKET_PARAM = ParamSpec.required("bucket", ParamSpec.Type.STRING)
            .withCheck(v -> GCS_BUCKET.matcher((String) v).matches() ? null
                    : "is not a bucket name (lower-case letters, digits, '.', '_' and '-'), got '" + v + "'")
            .describedAs("Destination bucket (it must exist)");
    static final ParamSpec PREFIX_PARAM = ParamSpec.of("prefix", ParamSpec.Type.STRING)
            .withCheck(v -> PREFIX.matcher((String) v).matches() ? null
                    : "may hold letters, digits and !_.*'()/- only (at most 512), got '" + Checks.truncate((String) v,
                    40) + "'")
            .describedAs("Prefix of the key (leading and trailing / dropped: `/files/` and `files` are the same)");

    private OutputParams() {
    }
}
