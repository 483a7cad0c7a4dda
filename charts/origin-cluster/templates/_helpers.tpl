{{/* Chart name, overridable. */}}
{{- define "origin-cluster.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name of every object; the release name alone when it already contains the chart name. */}}
{{- define "origin-cluster.fullname" -}}
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

{{- define "origin-cluster.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable across upgrades (a Deployment's selector is immutable). */}}
{{- define "origin-cluster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "origin-cluster.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "origin-cluster.labels" -}}
helm.sh/chart: {{ include "origin-cluster.chart" . }}
{{ include "origin-cluster.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "origin-cluster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "origin-cluster.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "origin-cluster.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The operator's permissions, shared by the ClusterRole (all namespaces) and the per-namespace Roles.
Least privilege: it never deletes (owned objects go by ownerReference garbage collection), reads Secrets only for
the Redis password and creates the proxies' generated Secret, and patches pods only for the deletion-cost annotation.
*/}}
{{- define "origin-cluster.operatorRules" -}}
- apiGroups: ["origincluster.io"]
  resources: ["originclusters"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["origincluster.io"]
  resources: ["originclusters/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["origincluster.io"]
  resources: ["originclusters/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
- apiGroups: [""]
  resources: ["services", "configmaps", "secrets"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Settings that cannot be expressed in values.schema.json. */}}
{{- define "origin-cluster.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: two active operators would fight over the same objects" }}
{{- end }}
{{- end }}
