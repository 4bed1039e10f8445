// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package e2e is the end-to-end suite: it starts a whole test bed on
// loopback (Pebble, pebble-challtestsrv, nginx, certbot and lego renewing
// real certificates, the exporter built from this tree, Prometheus with the
// mixin's rules and Alertmanager with examples/alertmanager.yml), injects
// each root cause and checks that the right alert reaches the right
// receiver and resolves after the fault is reverted. See docs/e2e.md.
package e2e
