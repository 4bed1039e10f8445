// Overview: every certificate with its lifetime, ARI window and
// served-vs-disk state, plus one health cell per root cause.
local dashboard = import '../lib/dashboard.libsonnet';
local expr = import '../lib/expr.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,
  local certBy = 'instance, name, source, target',
  local count(e) = panel.query('count(%s) or vector(0)' % e),
  local cell(title, description, e) =
    panel.stat(title, description, 'none', [count(e)]) + panel.thresholds([[1, 'red']]),

  grafanaDashboards+:: {
    'acme-overview.json': dashboard.new(
      c,
      'acme-overview.json',
      'Overview',
      'ACME certificates: remaining lifetime, ARI windows, served-vs-disk, and one health cell per root cause.',
      [
        panel.firingAlerts(c, 'Acme.*', h=8),
        cell(
          'Lifecycle',
          'Certificate targets past the overdue point of their lifetime (AcmeCertificateRenewalOverdue and worse, worst address per target), expired or revoked.',
          'acme:certificate_remaining_seconds:min{%(s)s} < acme:certificate_overdue_threshold_seconds{%(s)s} or acme_certificate_revoked{%(s)s} == 1' % { s: s }
        ),
        cell(
          '1 Account keys',
          'ACME account keys that are unusable, insecure or no longer registered, and client storage the service user cannot write.',
          'acme_account_key_usable{%(s)s} == 0 or acme_account_key_insecure{%(s)s} == 1 or acme_account_registered{%(s)s} == 0 or acme_account_storage_writable{%(s)s} == 0' % { s: s }
        ),
        cell(
          '2 HTTP-01',
          'Domain and address family pairs whose HTTP-01 path fails from at least one exporter (a prober without IPv6 not counted).',
          'min by (domain, ip_family) (acme_http01_reachable{%(s)s} unless on (job, instance, domain, ip_family) acme_http01_failure_info{%(s)s, reason="prober_no_ipv6"}) == 0' % { s: s }
        ),
        cell(
          '3 DNS',
          'Zones or domains with out-of-sync serials, down nameservers, inconsistent TXT, a missing canary, a broken CNAME target or delegation, or CAA forbidding issuance.',
          'acme_dns_soa_serial_consistent{%(s)s} == 0 or acme_dns_nameserver_up{%(s)s} == 0 or acme_dns_txt_consistent{%(s)s} == 0 or acme_dns_caa_issuance_allowed{%(s)s} == 0 or acme_dns_canary_present{%(s)s} == 0 or acme_dns_cname_target_healthy{%(s)s} == 0 or acme_dns_delegation_consistent{%(s)s} == 0' % { s: s }
        ),
        panel.stat(
          '4 Rate limit use',
          'Highest use of the certificates_per_registered_domain limit over all registered domains (7-day window, lower bound).',
          'percentunit',
          [panel.query('max(max by (ca, registered_domain) (acme_certificates_issued{%(s)s}) / on (ca) group_left max by (ca) (acme_rate_limit{%(s)s, limit="certificates_per_registered_domain"}))' % { s: s })],
        ) + panel.thresholds([[c.rateLimitCertificatesRatio, 'red']]),
        panel.stat(
          '5 Clock offset',
          'Largest absolute clock offset against NTP or the ACME Date header.',
          's',
          [panel.query('max(abs(acme_clock_offset_seconds{%s}))' % s)],
        ) + panel.thresholds([[c.clockOffsetWarningSeconds, 'orange'], [c.clockBehindCriticalSeconds, 'red']]),
        cell(
          '6 Served certificates',
          'Certificates with an incomplete chain, a key mismatch, a hostname mismatch, or an endpoint serving an older certificate than the one on disk.',
          '%(chain)s or acme_certificate_key_match{%(s)s} == 0 or acme_certificate_hostname_match{%(s)s} == 0 or acme_endpoint_serving_latest{%(s)s} == 0' % { s: s, chain: expr.chainIncomplete(s) }
        ),
        cell(
          'ARI explanations',
          'Certificates for which the CA attached an ARI explanation URL (incident or revocation).',
          'acme_ari_explanation_info{%s} == 1' % s
        ),
        cell(
          'Directory',
          'ACME directories that cannot be fetched or whose newNonce fails.',
          'acme_directory_up{%(s)s} == 0 or acme_directory_nonce_ok{%(s)s} == 0' % { s: s }
        ),
        cell(
          'Renewal jobs',
          'Renewal jobs that have not run within the expected interval.',
          'time() - acme_renewal_last_run_timestamp_seconds{%s} > %d' % [s, c.renewalJobMaxAgeSeconds]
        ),
        cell(
          'Failing checks',
          'Exporter checks that could not obtain data (see the exporter dashboard for reasons).',
          'acme_probe_success{%s} == 0' % s
        ),
        cell(
          'Stale checks',
          'Checks serving a result from a previous run because the current one did not finish in time.',
          'acme_check_stale{%s} == 1' % s
        ),
        panel.table(
          'Certificates',
          'One row per certificate target (file or endpoint; the worst address of an endpoint). Lifetime left is a fraction of the certificate lifetime; clients renew at 1/3 left (1/2 for certificates shorter than 10 days). ARI columns are relative to now (negative = in the past). Served latest is 0 when the endpoint serves an older certificate than the newest on disk.',
          [
            panel.query('min by (%s) (acme:certificate_remaining_ratio:min{%s})' % [certBy, s]),
            panel.query('min by (%s) (acme:certificate_remaining_seconds:min{%s})' % [certBy, s]),
            panel.query('max by (%s) (acme:certificate_lifetime_seconds:max{%s})' % [certBy, s]),
            panel.query('min by (%s) (acme_ari_window_start_timestamp_seconds{%s} - time())' % [certBy, s]),
            panel.query('min by (%s) (acme_ari_window_end_timestamp_seconds{%s} - time())' % [certBy, s]),
            panel.query('label_replace(min by (instance, name, target) (acme_endpoint_serving_latest{%s}), "source", "endpoint", "", "")' % s),
            panel.query('max by (%s) (acme_certificate_revoked{%s})' % [certBy, s]),
          ],
          [
            {
              name: 'Lifetime left',
              unit: 'percentunit',
              thresholds: [
                { color: 'red', value: null },
                { color: 'orange', value: c.expiringSoonRatio },
                { color: 'yellow', value: c.renewalOverdueRatio },
                { color: 'green', value: c.renewalPointRatio },
              ],
            },
            { name: 'Time left', unit: 's' },
            { name: 'Lifetime', unit: 's' },
            { name: 'ARI window start', unit: 's' },
            { name: 'ARI window end', unit: 's' },
            {
              name: 'Served latest',
              unit: 'bool_yes_no',
              thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
            },
            {
              name: 'Revoked',
              unit: 'bool_yes_no',
              thresholds: [{ color: 'green', value: null }, { color: 'red', value: 1 }],
            },
          ],
          h=12,
        ),
        panel.timeseries(
          'Lifetime left',
          'Fraction of its lifetime each certificate has left. A healthy certificate falls to about 1/3 (1/2 for short-lived ones) and jumps back to 1 when renewed.',
          'percentunit',
          [panel.query(expr.remaining(s), '{{name}} {{source}} {{target}} {{address}}')],
          w=24,
        ),
        panel.timeseries(
          'Time to ARI window',
          'Time from now to the start and end of the CA-suggested renewal window (negative once it has passed).',
          's',
          [
            panel.query('acme_ari_window_start_timestamp_seconds{%s} - time()' % s, 'start {{name}} {{source}} {{target}}'),
            panel.query('acme_ari_window_end_timestamp_seconds{%s} - time()' % s, 'end {{name}} {{source}} {{target}}'),
          ],
        ),
        panel.timeseries(
          'Served vs disk',
          'acme_endpoint_serving_latest per endpoint address: 1 when the endpoint serves the newest certificate on disk, 0 when it serves an older one (renewed but not reloaded).',
          'bool_yes_no',
          [panel.query('acme_endpoint_serving_latest{%s}' % s, '{{name}} {{target}} {{address}}')],
        ),
      ],
    ),
  },
}
