package org.falcosecurity.talon.replicas;

import org.falcosecurity.talon.config.TalonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who a replica is, as upstream finds it: POD_NAME, NAMESPACE, else the service account's namespace, else falco. */
class ReplicaIdentityTest {

    @TempDir
    Path dir;

    private static TalonConfig config(String yaml) throws Exception {
        return TalonConfig.parse(yaml, "c.yaml", Map.of());
    }

    @Test
    void fromTheDownwardApi() throws Exception {
        ReplicaIdentity me = ReplicaIdentity.of(config(""), Map.of("POD_NAME", "falco-talon-7d9f-abcde",
                "NAMESPACE", "security", "POD_IP", "10.1.2.3"), dir.resolve("none"));
        assertThat(me.name()).isEqualTo("falco-talon-7d9f-abcde");
        assertThat(me.namespace()).isEqualTo("security");
        assertThat(me.advertiseUrl()).isEqualTo("http://10.1.2.3:2803");
    }

    @Test
    void elseTheServiceAccountsNamespaceElseFalco() throws Exception {
        Path ns = Files.writeString(dir.resolve("namespace"), "talon-ns\n");
        assertThat(ReplicaIdentity.of(config(""), Map.of("POD_NAME", "p"), ns).namespace()).isEqualTo("talon-ns");
        assertThat(ReplicaIdentity.of(config(""), Map.of("POD_NAME", "p"), dir.resolve("none")).namespace())
                .isEqualTo("falco");
    }

    @Test
    void theConfigWinsAndIpv6IsBracketed() throws Exception {
        ReplicaIdentity me = ReplicaIdentity.of(config("replicas: {identity: talon-a, namespace: ops}"),
                Map.of("POD_NAME", "p", "NAMESPACE", "n", "POD_IP", "fd00::7"), dir.resolve("none"));
        assertThat(me.name()).isEqualTo("talon-a");
        assertThat(me.namespace()).isEqualTo("ops");
        assertThat(me.advertiseUrl()).isEqualTo("http://[fd00::7]:2803");
        assertThat(ReplicaIdentity.of(config("replicas: {advertise_url: 'https://talon-0.talon:2803/'}"),
                Map.of(), dir.resolve("none")).advertiseUrl()).isEqualTo("https://talon-0.talon:2803");
    }
}
