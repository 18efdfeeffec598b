package org.falcosecurity.talon.actionners.kubernetes.capture;

import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.kubernetes.ClusterAccess;

import java.time.Duration;

/**
 * What the capture actionners that start a container of their own (tcpdump, sysdig) are made with.
 *
 * @param cluster      the shared Kubernetes client
 * @param spool        where the capture goes
 * @param poll         the pause between checks of the capture container
 * @param startTimeout how long the capture container may take to run
 * @param execSlack    how much longer than {@code duration} the capture may take to stream out
 */
public record CaptureSettings(ClusterAccess cluster, ArtifactSpool spool, Duration poll, Duration startTimeout,
                              Duration execSlack) {
}
