// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// scrapeFiles runs the certificate_file family once so the inventory
// holds the files before the endpoint family reads it.
func scrapeFiles(t testing.TB, env *scrape.Env) {
	t.Helper()
	h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "certificate_file"))
	if n := testutil.CollectAndCount(h); n == 0 {
		t.Fatal("certificate_file family exported nothing")
	}
}

// TestEndpointNginx probes real nginx on loopback: full chain, leaf only,
// expired, renewed-not-reloaded, RSA+ECDSA side by side, IPv6 on ::1,
// wrong name, pins, and a port with nothing listening.
func TestEndpointNginx(t *testing.T) {
	dir := testbed.Dir(t)
	ca := testcerts.NewChain(t, "Endpoint Test")
	other := testcerts.NewChain(t, "Untrusted")
	day := 24 * time.Hour

	full := ca.Leaf(t, testcerts.Options{DNSNames: []string{"full.example.test"}, Serial: 1001})
	leafOnly := ca.Leaf(t, testcerts.Options{DNSNames: []string{"leaf.example.test"}, Serial: 1002})
	expired := ca.Leaf(t, testcerts.Options{DNSNames: []string{"expired.example.test"}, Serial: 1003,
		NotBefore: testcerts.Epoch.Add(-100 * day)})
	untrusted := other.Leaf(t, testcerts.Options{DNSNames: []string{"untrusted.example.test"}, Serial: 1004})
	oldCert := ca.Leaf(t, testcerts.Options{DNSNames: []string{"stale.example.test"}, Serial: 1005,
		NotBefore: testcerts.Epoch.Add(-60 * day)})
	renewed := ca.Leaf(t, testcerts.Options{DNSNames: []string{"stale.example.test"}, Serial: 1006,
		NotBefore: testcerts.Epoch.Add(-1 * day)})
	// Side by side: the RSA certificate was renewed later than the ECDSA
	// one; neither is stale.
	dualEC := ca.Leaf(t, testcerts.Options{DNSNames: []string{"dual.example.test"}, Serial: 1007,
		NotBefore: testcerts.Epoch.Add(-20 * day)})
	dualRSA := ca.Leaf(t, testcerts.Options{DNSNames: []string{"dual.example.test"}, Serial: 1008, RSA: true,
		NotBefore: testcerts.Epoch.Add(-2 * day)})
	v6 := ca.Leaf(t, testcerts.Options{DNSNames: []string{"v6.example.test"}, Serial: 1009})

	ports := map[string]int{}
	// V6 listens on both families at one port number.
	free := testbed.FreePorts(t, 8, "127.0.0.1", "::1")
	for i, k := range []string{"FULL", "LEAF", "EXPIRED", "UNTRUSTED", "STALE", "DUAL", "V6", "CLOSED"} {
		ports[k] = free[i]
	}
	v6Port := ports["V6"]

	staleFiles := scrapetest.TLSFiles(t, dir, "stale/fullchain", ca.FullChain(oldCert), oldCert)
	servers := testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["FULL"]), "full.example.test",
		scrapetest.TLSFiles(t, dir, "full/fullchain", ca.FullChain(full), full)) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["LEAF"]), "leaf.example.test",
			scrapetest.TLSFiles(t, dir, "leaf/cert", leafOnly.PEM(), leafOnly)) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["EXPIRED"]), "expired.example.test",
			scrapetest.TLSFiles(t, dir, "expired/fullchain", ca.FullChain(expired), expired)) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["UNTRUSTED"]), "untrusted.example.test",
			scrapetest.TLSFiles(t, dir, "untrusted/fullchain", other.FullChain(untrusted), untrusted)) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["STALE"]), "stale.example.test", staleFiles) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["DUAL"]), "dual.example.test",
			scrapetest.TLSFiles(t, dir, "dual-ecdsa/fullchain", ca.FullChain(dualEC), dualEC),
			scrapetest.TLSFiles(t, dir, "dual-rsa/fullchain", ca.FullChain(dualRSA), dualRSA)) +
		testbed.NginxTLSServer(fmt.Sprintf("127.0.0.1:%d", ports["V6"]), "v6.example.test",
			scrapetest.TLSFiles(t, dir, "v6/fullchain", ca.FullChain(v6), v6))
	servers = strings.Replace(servers, fmt.Sprintf("listen 127.0.0.1:%d ssl;", v6Port),
		fmt.Sprintf("listen 127.0.0.1:%d ssl;\n        listen [::1]:%d ssl;", v6Port, v6Port), 1)
	var wait []string
	for k, p := range ports {
		if k != "CLOSED" {
			wait = append(wait, fmt.Sprintf("127.0.0.1:%d", p))
		}
	}
	wait = append(wait, fmt.Sprintf("[::1]:%d", v6Port))
	testbed.StartNginx(t, testbed.Dir(t), servers, wait...)

	// The renewal writes the new certificate; nginx is not reloaded.
	testcerts.Write(t, dir, "stale/fullchain.pem", ca.FullChain(renewed), 0o644)

	zone := testbed.StartFakeDNS(t, map[string][]string{"v6.example.test": {"127.0.0.1", "::1"}})
	vars := map[string]string{"DIR": dir, "RESOLVER": zone.Addr, "FULLPIN": spkiPin(t, full.Cert),
		"INTERPIN": spkiPin(t, ca.Intermediate.Cert), "OTHERPIN": spkiPin(t, other.Root.Cert)}
	for k, p := range ports {
		vars[k] = fmt.Sprint(p)
	}

	cases := []struct {
		name string
		yml  string
		want string
	}{
		{
			name: "full_chain_with_pins",
			yml: `
endpoints:
  - target: 127.0.0.1:{{FULL}}
    server_name: full.example.test
    pins: ["{{FULLPIN}}"]
  - target: full.example.test:{{FULL}}
    address: 127.0.0.1
    pins: ["{{INTERPIN}}", "{{OTHERPIN}}"]
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.7658864e+09
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="full.example.test:{{FULL}}"} 1.7658864e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.773662399e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="full.example.test:{{FULL}}"} 1.773662399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.773662399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="full.example.test",source="endpoint",target="full.example.test:{{FULL}}"} 1.773662399e+09
acme_certificate_info{address="127.0.0.1:{{FULL}}",dns_names="full.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="full.example.test",serial="03e9",source="endpoint",target="127.0.0.1:{{FULL}}"} 1
acme_certificate_info{address="127.0.0.1:{{FULL}}",dns_names="full.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="full.example.test",serial="03e9",source="endpoint",target="full.example.test:{{FULL}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{FULL}}",name="full.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{FULL}}",name="full.example.test",target="full.example.test:{{FULL}}"} 1
acme_endpoint_up{address="127.0.0.1:{{FULL}}",name="full.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_up{address="127.0.0.1:{{FULL}}",name="full.example.test",target="full.example.test:{{FULL}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{FULL}}",name="full.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{FULL}}",name="full.example.test",target="full.example.test:{{FULL}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{FULL}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="full.example.test",target="127.0.0.1:{{FULL}}",tls_version="TLS 1.3"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{FULL}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="full.example.test",target="full.example.test:{{FULL}}",tls_version="TLS 1.3"} 1
acme_endpoint_pin_match{address="127.0.0.1:{{FULL}}",name="full.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_pin_match{address="127.0.0.1:{{FULL}}",name="full.example.test",target="full.example.test:{{FULL}}"} 1
acme_endpoint_leaf_pinned{address="127.0.0.1:{{FULL}}",name="full.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_leaf_pinned{address="127.0.0.1:{{FULL}}",name="full.example.test",target="full.example.test:{{FULL}}"} 0
acme_probe_success{check="endpoint",target="127.0.0.1:{{FULL}}"} 1
acme_probe_success{check="endpoint",target="full.example.test:{{FULL}}"} 1
`,
		},
		{
			name: "leaf_only_chain",
			yml: `
endpoints:
  - target: 127.0.0.1:{{LEAF}}
    server_name: leaf.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",source="endpoint",target="127.0.0.1:{{LEAF}}"} 1.7658864e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",source="endpoint",target="127.0.0.1:{{LEAF}}"} 1.773662399e+09
acme_certificate_info{address="127.0.0.1:{{LEAF}}",dns_names="leaf.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="leaf.example.test",serial="03ea",source="endpoint",target="127.0.0.1:{{LEAF}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",target="127.0.0.1:{{LEAF}}"} 1
acme_endpoint_up{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",target="127.0.0.1:{{LEAF}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",target="127.0.0.1:{{LEAF}}"} 0
acme_endpoint_verify_failure_info{address="127.0.0.1:{{LEAF}}",name="leaf.example.test",reason="chain_not_verified",target="127.0.0.1:{{LEAF}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{LEAF}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="leaf.example.test",target="127.0.0.1:{{LEAF}}",tls_version="TLS 1.3"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{LEAF}}"} 1
`,
		},
		{
			name: "expired_still_reported",
			yml: `
endpoints:
  - target: 127.0.0.1:{{EXPIRED}}
    server_name: expired.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",source="endpoint",target="127.0.0.1:{{EXPIRED}}"} 1.7598384e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",source="endpoint",target="127.0.0.1:{{EXPIRED}}"} 1.767614399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",source="endpoint",target="127.0.0.1:{{EXPIRED}}"} 1.767614399e+09
acme_certificate_info{address="127.0.0.1:{{EXPIRED}}",dns_names="expired.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="expired.example.test",serial="03eb",source="endpoint",target="127.0.0.1:{{EXPIRED}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",target="127.0.0.1:{{EXPIRED}}"} 1
acme_endpoint_up{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",target="127.0.0.1:{{EXPIRED}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",target="127.0.0.1:{{EXPIRED}}"} 0
acme_endpoint_verify_failure_info{address="127.0.0.1:{{EXPIRED}}",name="expired.example.test",reason="expired",target="127.0.0.1:{{EXPIRED}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{EXPIRED}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="expired.example.test",target="127.0.0.1:{{EXPIRED}}",tls_version="TLS 1.3"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{EXPIRED}}"} 1
`,
		},
		{
			name: "untrusted_and_wrong_name",
			yml: `
endpoints:
  - target: 127.0.0.1:{{UNTRUSTED}}
    server_name: untrusted.example.test
  - target: 127.0.0.1:{{FULL}}
    server_name: wrong.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",source="endpoint",target="127.0.0.1:{{UNTRUSTED}}"} 1.7658864e+09
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="wrong.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.7658864e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",source="endpoint",target="127.0.0.1:{{UNTRUSTED}}"} 1.773662399e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="wrong.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.773662399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{FULL}}",name="wrong.example.test",source="endpoint",target="127.0.0.1:{{FULL}}"} 1.773662399e+09
acme_certificate_info{address="127.0.0.1:{{UNTRUSTED}}",dns_names="untrusted.example.test",issuer="Untrusted Intermediate",key_type="ecdsa_p256",must_staple="false",name="untrusted.example.test",serial="03ec",source="endpoint",target="127.0.0.1:{{UNTRUSTED}}"} 1
acme_certificate_info{address="127.0.0.1:{{FULL}}",dns_names="full.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="wrong.example.test",serial="03e9",source="endpoint",target="127.0.0.1:{{FULL}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",target="127.0.0.1:{{UNTRUSTED}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{FULL}}",name="wrong.example.test",target="127.0.0.1:{{FULL}}"} 0
acme_endpoint_up{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",target="127.0.0.1:{{UNTRUSTED}}"} 1
acme_endpoint_up{address="127.0.0.1:{{FULL}}",name="wrong.example.test",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",target="127.0.0.1:{{UNTRUSTED}}"} 0
acme_endpoint_verified{address="127.0.0.1:{{FULL}}",name="wrong.example.test",target="127.0.0.1:{{FULL}}"} 0
acme_endpoint_verify_failure_info{address="127.0.0.1:{{UNTRUSTED}}",name="untrusted.example.test",reason="chain_not_verified",target="127.0.0.1:{{UNTRUSTED}}"} 1
acme_endpoint_verify_failure_info{address="127.0.0.1:{{FULL}}",name="wrong.example.test",reason="hostname_mismatch",target="127.0.0.1:{{FULL}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{UNTRUSTED}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="untrusted.example.test",target="127.0.0.1:{{UNTRUSTED}}",tls_version="TLS 1.3"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{FULL}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="wrong.example.test",target="127.0.0.1:{{FULL}}",tls_version="TLS 1.3"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{UNTRUSTED}}"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{FULL}}"} 1
`,
		},
		{
			name: "renewed_not_reloaded",
			yml: `
certificate_files:
  - path: {{DIR}}/stale/fullchain.pem
    name: stale.example.test
endpoints:
  - target: 127.0.0.1:{{STALE}}
    server_name: stale.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{STALE}}",name="stale.example.test",source="endpoint",target="127.0.0.1:{{STALE}}"} 1.7632944e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{STALE}}",name="stale.example.test",source="endpoint",target="127.0.0.1:{{STALE}}"} 1.771070399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{STALE}}",name="stale.example.test",source="endpoint",target="127.0.0.1:{{STALE}}"} 1.771070399e+09
acme_certificate_info{address="127.0.0.1:{{STALE}}",dns_names="stale.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="stale.example.test",serial="03ed",source="endpoint",target="127.0.0.1:{{STALE}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{STALE}}",name="stale.example.test",target="127.0.0.1:{{STALE}}"} 1
acme_endpoint_up{address="127.0.0.1:{{STALE}}",name="stale.example.test",target="127.0.0.1:{{STALE}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{STALE}}",name="stale.example.test",target="127.0.0.1:{{STALE}}"} 1
acme_endpoint_serving_latest{address="127.0.0.1:{{STALE}}",name="stale.example.test",target="127.0.0.1:{{STALE}}"} 0
acme_endpoint_tls_info{address="127.0.0.1:{{STALE}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="stale.example.test",target="127.0.0.1:{{STALE}}",tls_version="TLS 1.3"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{STALE}}"} 1
`,
		},
		{
			name: "rsa_and_ecdsa_side_by_side_not_stale",
			yml: `
certificate_files:
  - path: {{DIR}}/dual-ecdsa/fullchain.pem
    name: dual.example.test
  - path: {{DIR}}/dual-rsa/fullchain.pem
    name: dual.example.test
endpoints:
  - target: 127.0.0.1:{{DUAL}}
    server_name: dual.example.test
    key_type: ecdsa
  - target: 127.0.0.1:{{DUAL}}
    server_name: dual.example.test
    key_type: rsa
  - target: 127.0.0.1:{{DUAL}}
    server_name: dual.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/ecdsa"} 1.7667504e+09
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/rsa"} 1.7683056e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/ecdsa"} 1.774526399e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/rsa"} 1.776081599e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/ecdsa"} 1.774526399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}/rsa"} 1.776081599e+09
acme_certificate_info{address="127.0.0.1:{{DUAL}}",dns_names="dual.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="dual.example.test",serial="03ef",source="endpoint",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_certificate_info{address="127.0.0.1:{{DUAL}}",dns_names="dual.example.test",issuer="Endpoint Test Intermediate",key_type="rsa2048",must_staple="false",name="dual.example.test",serial="03f0",source="endpoint",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_endpoint_up{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_endpoint_up{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_endpoint_verified{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_endpoint_verified{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_endpoint_serving_latest{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_endpoint_serving_latest{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{DUAL}}",cipher_suite="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",name="dual.example.test",target="127.0.0.1:{{DUAL}}/ecdsa",tls_version="TLS 1.2"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{DUAL}}",cipher_suite="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",name="dual.example.test",target="127.0.0.1:{{DUAL}}/rsa",tls_version="TLS 1.2"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{DUAL}}/ecdsa"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{DUAL}}/rsa"} 1
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}"} 1.776081599e+09
acme_certificate_hostname_match{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}"} 1
acme_certificate_info{address="127.0.0.1:{{DUAL}}",dns_names="dual.example.test",issuer="Endpoint Test Intermediate",key_type="rsa2048",must_staple="false",name="dual.example.test",serial="03f0",source="endpoint",target="127.0.0.1:{{DUAL}}"} 1
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}"} 1.776081599e+09
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{DUAL}}",name="dual.example.test",source="endpoint",target="127.0.0.1:{{DUAL}}"} 1.7683056e+09
acme_endpoint_serving_latest{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{DUAL}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="dual.example.test",target="127.0.0.1:{{DUAL}}",tls_version="TLS 1.3"} 1
acme_endpoint_up{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}"} 1
acme_endpoint_verified{address="127.0.0.1:{{DUAL}}",name="dual.example.test",target="127.0.0.1:{{DUAL}}"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{DUAL}}"} 1
`,
		},
		{
			name: "every_address_ipv6_and_ipv4",
			yml: `
endpoints:
  - target: v6.example.test:{{V6}}
    resolver: {{RESOLVER}}
  - target: 127.0.0.1:{{CLOSED}}
    name: closed.example.test
`,
			want: `
acme_certificate_not_before_timestamp_seconds{address="127.0.0.1:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.7658864e+09
acme_certificate_not_before_timestamp_seconds{address="[::1]:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.7658864e+09
acme_certificate_not_after_timestamp_seconds{address="127.0.0.1:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.773662399e+09
acme_certificate_not_after_timestamp_seconds{address="[::1]:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.773662399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="127.0.0.1:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.773662399e+09
acme_certificate_chain_not_after_timestamp_seconds{address="[::1]:{{V6}}",name="v6.example.test",source="endpoint",target="v6.example.test:{{V6}}"} 1.773662399e+09
acme_certificate_info{address="127.0.0.1:{{V6}}",dns_names="v6.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="v6.example.test",serial="03f1",source="endpoint",target="v6.example.test:{{V6}}"} 1
acme_certificate_info{address="[::1]:{{V6}}",dns_names="v6.example.test",issuer="Endpoint Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="v6.example.test",serial="03f1",source="endpoint",target="v6.example.test:{{V6}}"} 1
acme_certificate_hostname_match{address="127.0.0.1:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_certificate_hostname_match{address="[::1]:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_endpoint_up{address="127.0.0.1:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_endpoint_up{address="[::1]:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_endpoint_up{address="127.0.0.1:{{CLOSED}}",name="closed.example.test",target="127.0.0.1:{{CLOSED}}"} 0
acme_endpoint_verified{address="127.0.0.1:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_endpoint_verified{address="[::1]:{{V6}}",name="v6.example.test",target="v6.example.test:{{V6}}"} 1
acme_endpoint_tls_info{address="127.0.0.1:{{V6}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="v6.example.test",target="v6.example.test:{{V6}}",tls_version="TLS 1.3"} 1
acme_endpoint_tls_info{address="[::1]:{{V6}}",cipher_suite="TLS_AES_128_GCM_SHA256",name="v6.example.test",target="v6.example.test:{{V6}}",tls_version="TLS 1.3"} 1
acme_probe_success{check="endpoint",target="v6.example.test:{{V6}}"} 1
acme_probe_success{check="endpoint",target="127.0.0.1:{{CLOSED}}"} 0
acme_probe_failure_info{check="endpoint",reason="connection_refused",target="127.0.0.1:{{CLOSED}}"} 1
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := scrapetest.Env(t, scrapetest.Expand(tc.yml, vars), testcerts.Epoch, ca.Pool())
			scrapeFiles(t, env)
			h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "endpoint"))
			scrapetest.Compare(t, h, scrapetest.Expand(tc.want, vars), endpointNames...)
			// Every served leaf is published once per target for the
			// ARI and rate-limit families.
			for _, c := range env.Inventory.All() {
				if c.Source == "endpoint" && (c.Name == "" || c.Path == "" || c.SHA256 == [32]byte{}) {
					t.Errorf("incomplete inventory entry %+v", c)
				}
			}
			// Two addresses serving one leaf publish it once; a closed
			// port publishes nothing.
			published := map[string]int{"full_chain_with_pins": 2, "leaf_only_chain": 1, "expired_still_reported": 1,
				"untrusted_and_wrong_name": 2, "renewed_not_reloaded": 1, "rsa_and_ecdsa_side_by_side_not_stale": 3,
				"every_address_ipv6_and_ipv4": 1}
			if n := countEndpointCerts(env); n != published[tc.name] {
				t.Errorf("%d endpoint certificates in the inventory, want %d", n, published[tc.name])
			}
			if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
				t.Fatalf("lint: %v %v", err, problems)
			}
		})
	}
}

func countEndpointCerts(env *scrape.Env) int {
	n := 0
	for _, c := range env.Inventory.All() {
		if c.Source == "endpoint" {
			n++
		}
	}
	return n
}

func spkiPin(t testing.TB, c *x509.Certificate) string {
	t.Helper()
	h, err := certs.PublicKeyHash(c.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(h)
}

// endpointNames are the metric families the endpoint golden tests compare.
var endpointNames = []string{
	"acme_certificate_not_before_timestamp_seconds",
	"acme_certificate_not_after_timestamp_seconds",
	"acme_certificate_chain_not_after_timestamp_seconds",
	"acme_certificate_info",
	"acme_certificate_hostname_match",
	"acme_endpoint_up",
	"acme_endpoint_verified",
	"acme_endpoint_verify_failure_info",
	"acme_endpoint_serving_latest",
	"acme_endpoint_tls_info",
	"acme_endpoint_pin_match",
	"acme_endpoint_leaf_pinned",
	"acme_probe_success",
	"acme_probe_failure_info",
}
