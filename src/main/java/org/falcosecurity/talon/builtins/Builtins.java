package org.falcosecurity.talon.builtins;

import org.falcosecurity.talon.actionners.aws.LambdaInvocation;
import org.falcosecurity.talon.actionners.calico.CalicoPolicy;
import org.falcosecurity.talon.actionners.cilium.CiliumPolicy;
import org.falcosecurity.talon.actionners.gcp.CloudFunction;
import org.falcosecurity.talon.actionners.kubernetes.EgressIsolation;
import org.falcosecurity.talon.actionners.kubernetes.MetadataPatcher;
import org.falcosecurity.talon.actionners.kubernetes.NodeActions;
import org.falcosecurity.talon.actionners.kubernetes.ObjectDeletion;
import org.falcosecurity.talon.actionners.kubernetes.PodCommands;
import org.falcosecurity.talon.actionners.kubernetes.PodLogs;
import org.falcosecurity.talon.actionners.kubernetes.PodTermination;
import org.falcosecurity.talon.actionners.kubernetes.capture.FileDownload;
import org.falcosecurity.talon.actionners.kubernetes.capture.PacketCapture;
import org.falcosecurity.talon.actionners.kubernetes.capture.SyscallCapture;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.notifiers.BuiltinNotifier;
import org.falcosecurity.talon.notifiers.BuiltinNotifiers;
import org.falcosecurity.talon.outputs.OutputTargets;

import java.util.List;

/**
 * Every built-in actionner, notifier and output target, by its declaration (each kept beside its implementation).
 * Adding a built-in means adding its route, its declaration and its bean, then listing the declaration here.
 */
public final class Builtins {

    private static final List<ActionnerSpec> ACTIONNERS = List.of(PodTermination.SPEC, MetadataPatcher.LABEL,
            MetadataPatcher.LABELIZE, MetadataPatcher.ANNOTATION, EgressIsolation.SPEC, PodCommands.EXEC_SPEC,
            PodCommands.SCRIPT_SPEC, PodLogs.SPEC, FileDownload.SPEC, PacketCapture.SPEC, SyscallCapture.SPEC,
            ObjectDeletion.SPEC, NodeActions.CORDON, NodeActions.DRAIN,
            CalicoPolicy.SPEC, CiliumPolicy.SPEC, LambdaInvocation.SPEC, CloudFunction.SPEC);

    private static final Declarations DECLARATIONS = new Declarations(ACTIONNERS,
            BuiltinNotifiers.ALL.stream().map(BuiltinNotifier::spec).toList(), OutputTargets.ALL);

    private Builtins() {
    }

    public static Declarations declarations() {
        return DECLARATIONS;
    }
}
