// Every selector and threshold of the acme_exporter mixin. Override with
//   (import 'mixin.libsonnet') + { _config+:: { acmeExporterSelector: 'job="acme"' } }
// Durations are in seconds; ratios are fractions of a certificate's own lifetime
// (notAfter - notBefore), so 6-day, 45-day and 90-day certificates alert at the
// same point of their cycle (docs/runbook.md, "Severity matrix").
{
  _config+:: {
    // Selector (the text between {}) for every series scraped from acme_exporter,
    // both /metrics and /probe jobs. Used by alerts and as the job variable filter.
    acmeExporterSelector: 'job=~"acme.*"',

    // Label that tells clusters (or Prometheus servers) apart in a global
    // view (Thanos, Mimir, federation). Every join and aggregation keeps it,
    // so one rule file works on a single Prometheus (where it is absent) and
    // on a global view. Dashboards get a variable of this name.
    clusterLabel: 'cluster',
    // Show the cluster variable on dashboards (it is always in the queries;
    // with one Prometheus its value is empty and "All" matches that).
    showMultiCluster: false,

    // Labels that identify one certificate series of one exporter once the
    // address is aggregated away (the worst address of a target counts);
    // used to join ARI and endpoint series with the certificate timestamps.
    certificateJoinLabels: '%s, job, instance, name, source, target' % self.clusterLabel,

    // Certificates with a lifetime below this are "short" (6-day shortlived
    // profile): clients renew them at 1/2 of their lifetime left instead of
    // 1/3 left (certbot, lego, Let's Encrypt ARI).
    shortLifetimeSeconds: 10 * 86400,

    // Fraction of lifetime left at which clients normally renew (1/3 left, or
    // 1/2 left for short certificates). Dashboards colour by it.
    renewalPointRatio: 1 / 3,
    renewalPointRatioShort: 1 / 2,

    // Every lifecycle threshold is min(ratio x lifetime, cap): relative for
    // ACME certificates, capped so that a long-lived (398-day) certificate
    // renewed by hand 30 days before expiry stays quiet.
    //
    // AcmeCertificateRenewalOverdue (warning) and the served-stale page
    // start here. It must come after the latest normal renewal point of every
    // client discovery supports (docs/runbook.md, "Client reference"):
    // certbot/lego/Caddy renew at 1/3 left (1/2 below 10 days) plus up to a
    // day of timer delay; autocert at min(1/3, 30 d) left (6-day: 53 h).
    // 90-day: 22.5 d; 45-day: 11.25 d; 6-day: 40 h; 398-day: 25 d.
    renewalOverdueRatio: 1 / 4,
    renewalOverdueMaxSeconds: 25 * 86400,

    // AcmeCertificateExpiringSoon (page): 90-day: 18 d left (before 1/6);
    // 45-day: 9 d; 6-day: 32 h (so the page comes with more than 24 h to
    // act); 398-day: 21 d.
    expiringSoonRatio: 1 / 5,
    expiringSoonMaxSeconds: 21 * 86400,

    // AcmeAriWindowEndedNotReplaced (page): the CA moved the window into the
    // past (revocation, incident). A window counts as moved when it ends
    // before this fraction of the lifetime: normal windows end at 0.51
    // (short) or 0.68 (Let's Encrypt) and later (Pebble: 2/3 + 24 h); or
    // when the CA attached an explanation URL.
    ariRenewNowEndRatio: 0.5,
    // ... paged after this long, so that an ARI client polling at its own
    // pace can act first, yet within hours (Let's Encrypt revokes 24 h after
    // a key compromise notice, 5 days otherwise).
    ariRenewNowForSeconds: 60 * 60,

    // AcmeAriWindowMovedEarlier: the window start moved earlier by more than
    // this, compared with its latest value in ariWindowMovedLookbackSeconds.
    ariWindowMovedEarlierSeconds: 3600,
    ariWindowMovedLookbackSeconds: 6 * 3600,
    // AcmeAriWindowUnusuallyEarly: the window (still in the future) ends
    // before this fraction of the lifetime (normal: 0.51 for short, 0.68 for
    // other certificates).
    ariWindowEarlyEndRatio: 0.4,


    // AcmeDnsSerialOutOfSync / AcmeDnsTxtInconsistent: how long authoritative
    // servers may disagree (propagation budget); used as the alerts' `for`.
    dnsPropagationBudgetSeconds: 30 * 60,
    // AcmeDnsTxtInconsistent `for`: a DNS-01 validation waits for propagation
    // for minutes; longer than this, some server keeps a stale record.
    dnsTxtInconsistentForSeconds: 10 * 60,
    // AcmeDnsRrsigExpiringSoon: DNSSEC signatures expiring within this.
    dnsRrsigExpiringSeconds: 3 * 86400,
    // AcmeDnsCanaryMissing, AcmeDnsCnameTargetUnhealthy,
    // AcmeDnsDelegationInconsistent `for`: longer than a zone transfer or
    // a nameserver restart.
    dnsStructureForSeconds: 30 * 60,

    // AcmeRateLimitHeadroomLow: certificates issued per registered domain in
    // 7 days as a fraction of the limit (Let's Encrypt: 50).
    rateLimitCertificatesRatio: 0.8,
    // AcmeDuplicateCertificateLimitNear: largest exact-set count as a fraction
    // of the duplicate limit (5/7 days). 0.8 = the 4th certificate; a 6-day
    // certificate renewed every 80 h (non-ARI) reaches at most 3.
    rateLimitDuplicatesRatio: 0.8,
    // AcmeValidationFailuresNearLimit: failed validations in one hour as a
    // fraction of the failed_validations limit (5 per identifier per hour).
    rateLimitFailedValidationsRatio: 0.6,
    // ACME problem types that count as failed validations.
    failedValidationProblems: 'connection|dns|tls|unauthorized|incorrectResponse|caa',
    // AcmeClientRateLimited: lookback for rateLimited errors in client logs.
    clientErrorsWindow: '1h',
    // AcmeAccountPaused: lookback for paused_identifier refusals. A paused
    // account stays paused until someone unpauses it; clients retry once or
    // twice a day, so the window spans a day plus margin and the page stays
    // up while the client keeps being refused.
    pausedIdentifierWindow: '26h',

    // AcmeClockOffsetHigh: |local clock - reference| warning, seconds. The
    // ACME Date header has 1 s resolution, so keep this well above 1.
    clockOffsetWarningSeconds: 5,
    // AcmeClockBehindIssuanceBreaks: page when the clock is this far behind.
    // Let's Encrypt backdates notBefore by about 1 h; a clock further behind
    // sees freshly issued certificates as not yet valid.
    clockBehindCriticalSeconds: 30 * 60,

    // AcmeCertificateKeyMismatch: `for`, long enough to ride out a
    // non-atomic renewal (files replaced one by one).
    keyMismatchForSeconds: 30 * 60,
    // AcmeEndpointServingStaleCert: `for` before warning about a renewed but
    // not reloaded certificate. Deploy hooks reload within minutes, rolling
    // restarts within an hour or two; longer than that is worth a ticket.
    endpointStaleForSeconds: 3 * 3600,
    // AcmeEndpointStalePastRenewal: `for` of the page once the served
    // certificate is past the overdue point (renewalOverdueRatio) and a
    // newer one waits on disk; a late renewal still gets its reload window.
    endpointStalePageForSeconds: 2 * 3600,

    // AcmeExporterDown / AcmeExporterAbsent `for`: the dead-man switch pages
    // within two hours; restarts and rollouts take minutes.
    exporterDownForSeconds: 60 * 60,
    // AcmeExporterAbsent: a job that scraped within this and has no series
    // now has left service discovery.
    exporterAbsentLookback: '1d',

    // AcmeRenewalJobNotRunning: the renewal job last ran longer ago than this
    // (certbot's timer runs twice a day with up to 12 h random delay).
    renewalJobMaxAgeSeconds: 36 * 3600,
    // AcmeRenewalScheduledTimePassed: the client's own planned renewal time
    // is this far in the past (acme.sh checks once a day).
    renewalScheduledGraceSeconds: 25 * 3600,

    // AcmeCheckFailing: checks that have their own alert and are excluded.
    checkFailingExcluded: 'clock_ntp|certificate_file',
    // AcmeCheckFailing: failure reasons that are states, not faults: ARI
    // answers still pending. (A CA that never issued the certificate is not
    // asked at all, so no failure remains for it.)
    checkFailingBenignReasons: 'pending',

    // Multiply every alert `for` by this (e.g. 0.01 in an end-to-end test so
    // that 15m becomes 9s). 1 in production.
    forScale: 1,
    // Per-alert `for` in seconds, used as is (forScale does not apply):
    // { AcmeCertificateExpired: 5 }.
    forOverrides: {},

    // runbook_url of every alert: this pattern % lower-case alert name.
    runbookURLPattern: 'https://github.com/acme-exporter/acme_exporter/blob/main/docs/runbook.md#%s',
    // dashboard_url of every alert: Grafana's base URL; the alert links the
    // dashboard of its root cause with the variables its labels set.
    grafanaURL: 'https://grafana.example.com',

    // Dashboards.
    dashboardNamePrefix: 'ACME / ',
    dashboardTags: ['acme', 'acme_exporter'],
    dashboardRefresh: '1m',
    dashboardTimeFrom: 'now-7d',
    // Selector used by every dashboard query (cluster, job and instance
    // variables).
    dashboardSelector: '%s=~"$%s", job=~"$job", instance=~"$instance"' % [self.clusterLabel, self.clusterLabel],
    // Metric and selector the job/instance variables are read from.
    dashboardVariableMetric: 'up{%s}' % self.acmeExporterSelector,
  },
}
