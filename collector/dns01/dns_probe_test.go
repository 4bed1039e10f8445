// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"context"
	"fmt"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func TestDNSProbe(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	yml := fmt.Sprintf(`
modules:
  dns_loopback:
    kind: dns01
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.2/32"]
    settings:
      resolver: %[1]s
      port: %[2]d
  dns_public_only:
    kind: dns01
    names: ["*.example.test"]
    settings:
      resolver: %[1]s
      port: %[2]d
`, b.Resolver, b.Primary.Port)
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	c := newDNSCollector(env.Logger)

	t.Run("refused targets", func(t *testing.T) {
		for _, target := range []string{"example.org", "127.0.0.2", "bad name!", "x.example.test..evil"} {
			_, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["dns_loopback"], target)
			if !scrape.IsRefused(err) {
				t.Errorf("%q: got %v, want a refusal", target, err)
			}
		}
	})

	t.Run("allowed", func(t *testing.T) {
		ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["dns_loopback"], "cn.example.test")
		if err != nil {
			t.Fatal(err)
		}
		h := &scrapetest.ProbeCollector{Sched: scrape.NewScheduler(2, env.Now, env.Logger), Targets: ts}
		scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="ns1.example.test@127.0.0.2:%d",zone="auth.test"} 1
acme_dns_txt_records{domain="cn.example.test",nameserver="ns1.example.test@127.0.0.2:%[1]d"} 2
acme_dns_caa_issuance_allowed{domain="cn.example.test",issuer="letsencrypt.org"} 1
acme_probe_success{check="dns01",target="cn.example.test"} 1
acme_probe_success{check="caa",target="cn.example.test"} 1
`, b.Primary.Port), "acme_dns_nameserver_up", "acme_dns_txt_records", "acme_dns_caa_issuance_allowed", "acme_probe_success")
	})

	// Without allow_cidrs the guard refuses loopback nameserver addresses
	// inside the dialer: the nameserver is reported down, nothing is sent.
	t.Run("nameserver address refused by the guard", func(t *testing.T) {
		ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["dns_public_only"], "cn.example.test")
		if err != nil {
			t.Fatal(err)
		}
		h := &scrapetest.ProbeCollector{Sched: scrape.NewScheduler(2, env.Now, env.Logger), Targets: ts[:1]}
		scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="ns1.example.test@127.0.0.2:%d",zone="auth.test"} 0
acme_dns_nameserver_failure_info{nameserver="ns1.example.test@127.0.0.2:%[1]d",reason="refused_by_policy",zone="auth.test"} 1
`, b.Primary.Port), "acme_dns_nameserver_up", "acme_dns_nameserver_failure_info")
	})
}
