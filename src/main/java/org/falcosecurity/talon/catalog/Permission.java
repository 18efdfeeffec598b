package org.falcosecurity.talon.catalog;

import java.util.Arrays;
import java.util.List;

/**
 * One Kubernetes API permission a built-in needs, as RBAC grants it.
 *
 * @param group    the API group; empty for the core group
 * @param resource the resource, with its subresource when there is one ({@code pods/exec})
 * @param verb     the verb ({@code get}, {@code patch}, ...)
 * @param why      what the built-in does with it (for the reference and the ClusterRole's comments)
 */
public record Permission(String group, String resource, String verb, String why) {

    /** One permission per verb. */
    public static List<Permission> of(String group, String resource, String why, String... verbs) {
        return Arrays.stream(verbs).map(v -> new Permission(group, resource, v, why)).toList();
    }

    /** {@code group/resource:verb} (core group: {@code /pods:get}); what RBAC compares. */
    public String key() {
        return group + "/" + resource + ":" + verb;
    }
}
