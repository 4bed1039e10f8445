# Mixin targets (issue 8). The main Makefile includes this file:
#
#   include mixin.mk
#
# Standalone, from the repository root:
#
#   make -f mixin.mk mixin         # regenerate alerts/ (alerts and recording rules), dashboards/, examples/kubernetes/prometheusrule.yaml
#   make -f mixin.mk mixin-fmt     # jsonnetfmt -i on mixin/
#   make -f mixin.mk mixin-check   # everything CI checks (see below); fails on any problem
#   make -f mixin.mk mixin-tools   # go install the pinned go-jsonnet tools
#
# Tools (pinned; override the paths on the command line):
#   apt-get install -y --no-install-recommends prometheus prometheus-alertmanager   # promtool 2.42, amtool 0.25
#   go install github.com/google/go-jsonnet/cmd/jsonnet@v0.22.0 \
#     github.com/google/go-jsonnet/cmd/jsonnetfmt@v0.22.0 \
#     github.com/google/go-jsonnet/cmd/jsonnet-lint@v0.22.0
#
# Generated output depends on the jsonnet version, so mixin-check refuses any
# other than MIXIN_JSONNET_VERSION.
#
# mixin-check: renders into a temporary directory and diffs against the
# committed files; jsonnetfmt --test and jsonnet-lint on every jsonnet file;
# promtool check rules and promtool test rules; amtool check-config and
# promtool check config on the examples; go run ./tools/mixincheck (metric
# names against docs/metrics.md, a runbook section per alert, dashboard
# structure) and promtool check rules on every dashboard query; jsonnet
# assertions in mixin/tests/; amtool routing tests (critical pages PagerDuty,
# warning and info do not).

MIXIN_GOBIN     ?= $(shell go env GOPATH)/bin
JSONNET         ?= $(MIXIN_GOBIN)/jsonnet
JSONNETFMT      ?= $(MIXIN_GOBIN)/jsonnetfmt
JSONNET_LINT    ?= $(MIXIN_GOBIN)/jsonnet-lint
PROMTOOL        ?= promtool
AMTOOL          ?= amtool
MIXIN_GO        ?= go
MIXIN_JSONNET_VERSION := v0.22.0

MIXIN_DIR        := mixin
MIXIN_FMT_FLAGS  := -n 2 --max-blank-lines 2 --string-style s --comment-style s
MIXIN_SOURCES     = $(shell find $(MIXIN_DIR) -name '*.libsonnet' -o -name '*.jsonnet' | LC_ALL=C sort)
MIXIN_ENTRIES    := $(MIXIN_DIR)/alerts.jsonnet $(MIXIN_DIR)/rules.jsonnet $(MIXIN_DIR)/dashboards.jsonnet $(MIXIN_DIR)/prometheusrule.jsonnet

# mixin_render renders every generated file below directory $(1).
mixin_render = mkdir -p $(1)/alerts $(1)/dashboards $(1)/examples/kubernetes \
	&& $(JSONNET) -J $(MIXIN_DIR) -S $(MIXIN_DIR)/alerts.jsonnet > $(1)/alerts/acme_alerts.yaml \
	&& $(JSONNET) -J $(MIXIN_DIR) -S $(MIXIN_DIR)/rules.jsonnet > $(1)/alerts/acme_rules.yaml \
	&& rm -f $(1)/dashboards/*.json \
	&& $(JSONNET) -J $(MIXIN_DIR) -m $(1)/dashboards $(MIXIN_DIR)/dashboards.jsonnet > /dev/null \
	&& $(JSONNET) -J $(MIXIN_DIR) -S $(MIXIN_DIR)/prometheusrule.jsonnet > $(1)/examples/kubernetes/prometheusrule.yaml

.PHONY: mixin mixin-fmt mixin-check mixin-tools

mixin-tools:
	$(MIXIN_GO) install github.com/google/go-jsonnet/cmd/jsonnet@$(MIXIN_JSONNET_VERSION) \
	  github.com/google/go-jsonnet/cmd/jsonnetfmt@$(MIXIN_JSONNET_VERSION) \
	  github.com/google/go-jsonnet/cmd/jsonnet-lint@$(MIXIN_JSONNET_VERSION)

mixin:
	$(call mixin_render,.)

mixin-fmt:
	$(JSONNETFMT) $(MIXIN_FMT_FLAGS) -i $(MIXIN_SOURCES)

mixin-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(JSONNET) --version | grep -q -F ' $(MIXIN_JSONNET_VERSION)' \
	  || { echo "$(JSONNET) is not go-jsonnet $(MIXIN_JSONNET_VERSION): run make mixin-tools"; exit 1; }; \
	echo '>> rendering the mixin into a temporary directory'; \
	$(call mixin_render,"$$tmp"); \
	echo '>> comparing with the committed files'; \
	if ! diff -ru alerts/acme_alerts.yaml "$$tmp/alerts/acme_alerts.yaml" \
	   || ! diff -ru alerts/acme_rules.yaml "$$tmp/alerts/acme_rules.yaml" \
	   || ! diff -ru dashboards "$$tmp/dashboards" \
	   || ! diff -ru examples/kubernetes/prometheusrule.yaml "$$tmp/examples/kubernetes/prometheusrule.yaml"; then \
	  echo 'generated files are stale: run make mixin and commit'; exit 1; fi; \
	echo '>> jsonnetfmt --test'; \
	for f in $(MIXIN_SOURCES); do \
	  $(JSONNETFMT) $(MIXIN_FMT_FLAGS) --test "$$f" || { echo "$$f is not formatted: run make mixin-fmt"; exit 1; }; done; \
	echo '>> jsonnet-lint'; \
	for f in $(MIXIN_ENTRIES) $(MIXIN_DIR)/tests/*.jsonnet; do $(JSONNET_LINT) -J $(MIXIN_DIR) "$$f"; done; \
	echo '>> jsonnet tests'; \
	for f in $(MIXIN_DIR)/tests/*.jsonnet; do $(JSONNET) -J $(MIXIN_DIR) "$$f" > /dev/null; done; \
	echo '>> promtool check rules / test rules'; \
	$(PROMTOOL) check rules alerts/acme_rules.yaml alerts/acme_alerts.yaml; \
	$(PROMTOOL) test rules alerts/tests/*.yaml; \
	echo '>> example configurations'; \
	$(AMTOOL) check-config examples/alertmanager.yml; \
	$(AMTOOL) config routes test --config.file=examples/alertmanager.yml --verify.receivers=pagerduty severity=critical alertname=AcmeCertificateExpired name=www 2>/dev/null; \
	$(AMTOOL) config routes test --config.file=examples/alertmanager.yml --verify.receivers=acme-warnings severity=warning alertname=AcmeCertificateRenewalOverdue name=www 2>/dev/null; \
	$(AMTOOL) config routes test --config.file=examples/alertmanager.yml --verify.receivers=acme-warnings severity=info alertname=AcmeX 2>/dev/null; \
	$(PROMTOOL) check config examples/prometheus.yml; \
	echo '>> metric names, runbook sections, dashboard structure'; \
	$(JSONNET) -J $(MIXIN_DIR) -e 'local m = import "mixin.libsonnet"; { groups: m.prometheusRules.groups + m.prometheusAlerts.groups }' > "$$tmp/alerts.json"; \
	$(MIXIN_GO) run ./tools/mixincheck -alerts "$$tmp/alerts.json" -dashboards dashboards \
	  -metrics docs/metrics.md -runbook docs/runbook.md -tests alerts/tests -promql-out "$$tmp/dashboard-queries.yaml"; \
	echo '>> dashboard queries parse'; \
	$(PROMTOOL) check rules "$$tmp/dashboard-queries.yaml"; \
	$(MIXIN_GO) test ./tools/mixincheck/; \
	echo '>> mixin-check OK'
