package org.falcosecurity.talon.outputs;

import com.google.cloud.BaseServiceException;
import io.minio.errors.ErrorResponseException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.contract.ActionStop;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * What a failed upload means: whether trying again may help, and the error text the result carries (the storage
 * service's code and message, never a credential).
 *
 * <p>Retried: no answer at all (a refused connection, a timeout, a reset), 408, 429 and 5xx. Not retried: other
 * answers (403 refused, 404 no such bucket, 400), a check Talon made ({@link ActionStop}: no such destination, no
 * bucket, over the size limit) and bad parameters.
 */
final class OutputErrors {

    private final UnaryOperator<String> redact;

    /** @param redact masks the configured secrets in a message */
    OutputErrors(UnaryOperator<String> redact) {
        this.redact = redact;
    }

    boolean retriable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ActionStop || c instanceof IllegalArgumentException) {
                return false;
            }
            Integer status = status(c);
            if (status != null) {
                return status == 408 || status == 429 || status >= 500;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException || c instanceof SdkClientException) {
                return true;
            }
        }
        return false;
    }

    /** The HTTP status a storage service answered, when the exception carries one. */
    static Integer status(Throwable c) {
        if (c instanceof AwsServiceException a) {
            return a.statusCode();
        }
        if (c instanceof ErrorResponseException m && m.response() != null) {
            return m.response().code();
        }
        if (c instanceof BaseServiceException g && g.getCode() > 0) {
            return g.getCode();
        }
        if (c instanceof HttpOperationFailedException h) {
            return h.getStatusCode();
        }
        return null;
    }

    /** The service's own words when it answered ({@code 403 AccessDenied: Access Denied}), else the root cause. */
    String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ActionStop s) {
                return redact.apply(s.getMessage());
            }
            if (c instanceof AwsServiceException a) {
                String code = a.awsErrorDetails() == null ? null : a.awsErrorDetails().errorCode();
                String msg = a.awsErrorDetails() == null ? a.getMessage() : a.awsErrorDetails().errorMessage();
                return redact.apply("HTTP " + a.statusCode() + (code == null ? "" : " " + code) + ": "
                        + (msg == null ? "" : msg));
            }
            if (c instanceof ErrorResponseException m && m.errorResponse() != null) {
                return redact.apply("HTTP " + (m.response() == null ? "?" : m.response().code()) + " "
                        + m.errorResponse().code() + ": " + m.errorResponse().message());
            }
            if (c instanceof HttpOperationFailedException h) {
                return redact.apply("HTTP " + h.getStatusCode() + (h.getStatusText() == null ? "" : " "
                        + h.getStatusText()));
            }
            if (c instanceof BaseServiceException g && g.getCode() > 0) {
                return redact.apply("HTTP " + g.getCode() + (g.getReason() == null ? "" : " " + g.getReason())
                        + ": " + serviceMessage(g.getMessage()));
            }
        }
        return redact.apply(Secrets.describe(t));
    }

    private static final java.util.regex.Pattern JSON_MESSAGE = java.util.regex.Pattern.compile(
            "\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,500})\"");

    /**
     * The service's own message: a Google API error's {@code "message"} when the exception's text quotes the error
     * body (a failed resumable upload does: status line, request line, JSON), else the first line.
     */
    private static String serviceMessage(String s) {
        java.util.regex.Matcher m = JSON_MESSAGE.matcher(s == null ? "" : s);
        return m.find() ? m.group(1).replace("\\\"", "\"") : firstLine(s);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
