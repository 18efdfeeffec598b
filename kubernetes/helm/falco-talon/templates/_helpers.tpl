{{/* The chart's name. */}}
{{- define "falco-talon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name, used for every object. */}}
{{- define "falco-talon.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "falco-talon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "falco-talon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "falco-talon.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "falco-talon.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "falco-talon.serviceAccountName" -}}
{{- $name := .Values.serviceAccount.name }}
{{- if and (kindIs "map" .Values.rbac.serviceAccount) .Values.rbac.serviceAccount.name }}{{ $name = .Values.rbac.serviceAccount.name }}{{ end }}
{{- if include "falco-talon.serviceAccountCreate" . }}
{{- default (include "falco-talon.fullname" .) $name }}
{{- else }}
{{- default "default" $name }}
{{- end }}
{{- end }}

{{/* The Secret holding the secret settings, or nothing. */}}
{{- define "falco-talon.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if or .Values.secrets.values (include "falco-talon.upstream" . | fromYaml).secrets }}
{{- printf "%s-secrets" (include "falco-talon.fullname" .) }}
{{- end }}
{{- end }}

{{/* The Secret holding the intake's token as a file (auth.*), or nothing. */}}
{{- define "falco-talon.authSecretName" -}}
{{- if and (not .Values.config.auth.token_file) (not (hasKey .Values.secrets.values "AUTH_TOKEN")) }}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if .Values.auth.create }}
{{- printf "%s-auth" (include "falco-talon.fullname" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Where the token is: "secret-name key" (the auth Secret, or AUTH_TOKEN of the secrets Secret), or nothing. */}}
{{- define "falco-talon.tokenRef" -}}
{{- with (include "falco-talon.authSecretName" .) }}
{{- printf "%s %s" . $.Values.auth.secretKey }}
{{- else }}
{{- if hasKey .Values.secrets.values "AUTH_TOKEN" }}
{{- printf "%s AUTH_TOKEN" (include "falco-talon.secretName" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* HTTPS when the intake has a keystore. */}}
{{- define "falco-talon.scheme" -}}
{{- if .Values.config.tls.keystore }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* config.yaml: the config values, with rules_files pointing at the mounted rule files unless set. */}}
{{- define "falco-talon.config" -}}
{{- $config := (include "falco-talon.upstream" . | fromYaml).config }}
{{- if not $config.rules_files }}
{{- $files := list "/etc/falco-talon/rules.yaml" }}
{{- if include "falco-talon.rulesOverride" . }}
{{- $files = append $files "/etc/falco-talon/rules-override.yaml" }}
{{- end }}
{{- $_ := set $config "rules_files" $files }}
{{- end }}
{{- with (include "falco-talon.authSecretName" .) }}
{{- $_ := set $config.auth "token_file" (printf "/etc/falco-talon-auth/%s" $.Values.auth.secretKey) }}
{{- end }}
{{- range $key := list "token" }}
{{- if index $config.auth $key }}
{{- fail "config.auth.token is a secret: pass it as AUTH_TOKEN in secrets, or use config.auth.token_file" }}
{{- end }}
{{- end }}
{{- range $key := list "keystore_password" "truststore_password" }}
{{- if index $config.tls $key }}
{{- fail (printf "config.tls.%s is a secret: pass it as TLS_%s in secrets" $key (upper $key)) }}
{{- end }}
{{- end }}
{{- range $section := list "aws" "minio" }}
{{- range $key := list "access_key" "secret_key" }}
{{- if index (index $config $section | default dict) $key }}
{{- fail (printf "config.%s.%s is a secret: pass it as %s_%s in secrets" $section $key (upper $section) (upper $key)) }}
{{- end }}
{{- end }}
{{- end }}
{{- /* secret notifier settings were moved to the Secret by "falco-talon.upstream" */}}
{{- if and $config.kafka.enabled (not $config.kafka.brokers) }}
{{- fail "config.kafka.brokers is required when config.kafka.enabled is true (e.g. kafka-bootstrap.kafka:9092)" }}
{{- end }}
{{- toYaml $config }}
{{- end }}
