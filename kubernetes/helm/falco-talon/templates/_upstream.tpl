{{/*
Compatibility with the values of the falcosecurity/charts falco-talon chart (0.4.x), so that a values file written
for it installs this chart unchanged. Its camelCase config keys (config.listenPort, config.defaultNotifiers,
config.deduplication.timeWindowSeconds, config.otel.*, config.aws.*, config.minio.*, config.notifiers.<name>.<key>)
become Talon's snake_case keys; an empty value is left out (Talon's default applies). Secret values (webhook URLs,
passwords, API keys, cloud keys), in either spelling, never go into the ConfigMap: they become environment
variables of the chart's Secret (NOTIFIERS_<NAME>_<SETTING>, AWS_SECRET_KEY, ...). Where a camelCase key and Talon's own key are both given,
the camelCase one (the user's file) wins over this chart's default.

"falco-talon.upstream" returns {config: <the config with the keys translated>, secrets: {VAR: value}} as YAML.
*/}}
{{- define "falco-talon.upstream" -}}
{{- $c := deepCopy .Values.config }}
{{- $secrets := dict }}
{{- $top := dict "listenAddress" "listen_address" "listenPort" "listen_port" "defaultNotifiers" "default_notifiers" "watchRules" "watch_rules" "printAllEvents" "print_all_events" }}
{{- range $from, $to := $top }}
{{- if hasKey $c $from }}
{{- $v := index $c $from }}
{{- if include "falco-talon.isSet" $v }}{{ $_ := set $c $to $v }}{{ end }}
{{- $_ := unset $c $from }}
{{- end }}
{{- end }}
{{- $_ := unset $c "rulesOverride" }}
{{- $sections := dict
    "deduplication" (dict "leaderElection" "leader_election" "timeWindowSeconds" "time_window_seconds")
    "otel" (dict "tracesEnabled" "traces_enabled" "metricsEnabled" "metrics_enabled" "collectorPort" "collector_port" "collectorEndpoint" "collector_endpoint" "collectorUseInsecureGrpc" "collector_use_insecure_grpc")
    "aws" (dict "roleArn" "role_arn" "externalId" "external_id")
    "minio" (dict "useSsl" "use_ssl") }}
{{- $sectionSecrets := dict
    "aws" (dict "accessKey" "AWS_ACCESS_KEY" "accesKey" "AWS_ACCESS_KEY" "secretKey" "AWS_SECRET_KEY")
    "minio" (dict "accessKey" "MINIO_ACCESS_KEY" "secretKey" "MINIO_SECRET_KEY") }}
{{- range $section, $keys := $sections }}
{{- $s := index $c $section }}
{{- if kindIs "map" $s }}
{{- range $from, $to := $keys }}
{{- if hasKey $s $from }}
{{- $v := index $s $from }}
{{- if include "falco-talon.isSet" $v }}{{ $_ := set $s $to $v }}{{ end }}
{{- $_ := unset $s $from }}
{{- end }}
{{- end }}
{{- range $from, $var := (index $sectionSecrets $section | default dict) }}
{{- if hasKey $s $from }}
{{- $v := index $s $from }}
{{- if include "falco-talon.isSet" $v }}{{ $_ := set $secrets $var ($v | toString) }}{{ end }}
{{- $_ := unset $s $from }}
{{- end }}
{{- end }}
{{- /* upstream's values have empty strings for what is not set: Talon's defaults apply */}}
{{- range $k, $v := $s }}
{{- if not (include "falco-talon.isSet" $v) }}{{ $_ := unset $s $k }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- if kindIs "map" $c.notifiers }}
{{- range $name, $settings := $c.notifiers }}
{{- if kindIs "map" $settings }}
{{- $changed := false }}
{{- range $key, $value := $settings }}
{{- $camel := regexMatch "[A-Z]" $key }}
{{- $snake := snakecase $key }}
{{- if and (eq $name "loki") (eq $key "hostPort") }}{{ $snake = "url" }}{{ end }}
{{- if kindIs "slice" $value }}
{{- /* customHeaders as a list of `Name: value` entries */}}
{{- $headers := dict }}
{{- range $value }}{{ if kindIs "map" . }}{{ $headers = merge $headers . }}{{ end }}{{ end }}
{{- $value = $headers }}
{{- end }}
{{- $secret := include "falco-talon.isSecretSetting" (dict "notifier" $name "setting" $snake) }}
{{- if or $camel $secret (not (include "falco-talon.isSet" $value)) }}
{{- $changed = true }}
{{- $_ := unset $settings $key }}
{{- if include "falco-talon.isSet" $value }}
{{- if $secret }}
{{- $_ := set $secrets (printf "NOTIFIERS_%s_%s" (upper $name) (upper $snake)) ($value | toString) }}
{{- else }}
{{- $_ := set $settings $snake $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- /* a section emptied here (only empty values) goes; an explicitly empty one (k8sevents: {}) stays */}}
{{- if and $changed (not $settings) }}{{ $_ := unset $c.notifiers $name }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml (dict "config" $c "secrets" $secrets) }}
{{- end }}

{{/* "true" when a value is given: not null, not an empty string, list or map (false and 0 are given). */}}
{{- define "falco-talon.isSet" -}}
{{- if kindIs "invalid" . }}
{{- else if and (kindIs "string" .) (eq . "") }}
{{- else if and (or (kindIs "slice" .) (kindIs "map" .)) (empty .) }}
{{- else }}true{{ end }}
{{- end }}

{{/* "true" for a notifier setting that holds a secret (the webhook notifier's URL carries its token). */}}
{{- define "falco-talon.isSecretSetting" -}}
{{- if or (regexMatch "(?i)(password|passwd|secret|token|api_?key|apikey|webhook_url|authorization|credential)" .setting) (and (eq .notifier "webhook") (eq .setting "url")) }}true{{ end }}
{{- end }}

{{/* The rule file loaded after the chart's rules: rulesOverride, or upstream's config.rulesOverride. */}}
{{- define "falco-talon.rulesOverride" -}}
{{- .Values.rulesOverride | default .Values.config.rulesOverride | default "" }}
{{- end }}

{{/*
The chart's rules when `rules` is empty: the example rules, or, with a values file of upstream's chart (it sets
config.rulesOverride), the action blocks upstream's chart defines, which its overrides refer to.
*/}}
{{- define "falco-talon.defaultRules" -}}
{{- if .Values.config.rulesOverride }}{{ .Files.Get "rules-upstream.yaml" }}{{ else }}{{ .Files.Get "rules.yaml" }}{{ end }}
{{- end }}

{{/* The intake's port, after upstream's config.listenPort. */}}
{{- define "falco-talon.listenPort" -}}
{{- (include "falco-talon.upstream" . | fromYaml).config.listen_port }}
{{- end }}

{{/*
Whether an actionner group of the ClusterRole is on: rbac.actionners.<group> (rbac.notifiers.k8sevents), and, when
a values file of upstream's chart sets its per-resource verb lists (rbac.pods, rbac.podsExec, ...), only if those
lists grant what the group needs: a verb taken away there takes the group away here (least privilege).
*/}}
{{- define "falco-talon.rbacGroup" -}}
{{- $root := .root }}
{{- $on := index (ternary $root.Values.rbac.notifiers $root.Values.rbac.actionners (eq .group "k8sevents")) .group }}
{{- $needs := dict
    "terminate" (list "pods:get" "pods:delete")
    "label" (list "pods:patch" "nodes:patch")
    "networkpolicy" (list "networkpolicies:create" "networkpolicies:patch")
    "exec" (list "podsExec:create")
    "log" (list "podsLog:get")
    "delete" (list "namespaces:delete" "configmaps:delete" "secrets:delete" "deployments:delete" "daemonsets:delete" "statefulsets:delete" "replicasets:delete" "roles:delete" "clusterroles:delete")
    "node" (list "nodes:patch" "podsEviction:create")
    "k8sevents" (list "events:create") }}
{{- range (index $needs .group) }}
{{- $parts := splitList ":" . }}
{{- $verbs := index $root.Values.rbac (index $parts 0) }}
{{- if and (kindIs "slice" $verbs) (not (has (index $parts 1) $verbs)) }}{{ $on = false }}{{ end }}
{{- end }}
{{- if $on }}true{{ end }}
{{- end }}

{{/* The service account: serviceAccount.*, or upstream's rbac.serviceAccount.* when a values file sets it. */}}
{{- define "falco-talon.serviceAccountCreate" -}}
{{- $create := .Values.serviceAccount.create }}
{{- if and (kindIs "map" .Values.rbac.serviceAccount) (hasKey .Values.rbac.serviceAccount "create") }}
{{- $create = .Values.rbac.serviceAccount.create }}
{{- end }}
{{- if $create }}true{{ end }}
{{- end }}
