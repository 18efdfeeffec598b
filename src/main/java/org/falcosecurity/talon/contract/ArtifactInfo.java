package org.falcosecurity.talon.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The artifact of a result record: what was collected and where it is now. Every notifier shows it (the JSON
 * notifiers as {@code "artifact": {...}}, the others as one line: location, size, SHA-256).
 *
 * @param name     the artifact's name ({@code /etc/passwd}, {@code tcpdump.pcap}, ...)
 * @param size     bytes
 * @param sha256   SHA-256 of the bytes, lower-case hex: check the stored object against it
 * @param target   the output target ({@code <category>:<name>})
 * @param location where it is: {@code s3://bucket/key}, {@code gs://bucket/key}, a file path, ...; empty when it
 *                 could not be stored (the result is then a failure saying why)
 */
@JsonPropertyOrder({"name", "size", "sha256", "target", "location"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ArtifactInfo(@JsonProperty("name") String name, @JsonProperty("size") long size,
                           @JsonProperty("sha256") String sha256, @JsonProperty("target") String target,
                           @JsonProperty("location") String location) {

    /** {@code s3://b/k (1234 bytes, sha256 ab12...)}: the line the human-readable notifiers show. */
    public String summary() {
        String where = location == null || location.isEmpty() ? "not stored (" + target + ")" : location;
        return where + " (" + size + " bytes, sha256 " + sha256 + ")";
    }
}
