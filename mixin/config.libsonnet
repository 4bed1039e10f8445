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

    // Labels that identify one certificate series of one exporter; used to join
    // ARI and endpoint series with the certificate timestamps.
    certificateJoinLabels: 'job, instance, name, source, target',

    // Certificates with a lifetime below this are "short" (6-day shortlived
    // profile): clients renew them at 1/2 of their lifetime instead of 2/3
    // (certbot, lego, Let's Encrypt ARI).
    shortLifetimeSeconds: 10 * 86400,

    // Fraction of lifetime left at which clients normally renew (1/3 left, or
    // 1/2 left for short certificates). Used for the stale-endpoint page and the
    // dashboards.
    renewalPointRatio: 1 / 3,
    renewalPointRatioShort: 1 / 2,

    // AcmeCertificateRenewalOverdue: fires below this fraction of lifetime left
    // (90-day: 22.5 days left, 7.5 days after the normal renewal point).
    renewalOverdueRatio: 1 / 4,
    // ... for short certificates (6-day: 54 h left, 18 h after the renewal point).
    renewalOverdueRatioShort: 3 / 8,

    // AcmeCertificateExpiringSoon: page below this fraction of lifetime left
    // (90-day: 15 days; halfway between the renewal point and expiry).
    expiringSoonRatio: 1 / 6,
    // ... for short certificates (6-day: 36 h left).
    expiringSoonRatioShort: 1 / 4,

    // AcmeAriWindowEndedNotReplaced: grace after the ARI window end, as a
    // fraction of lifetime (90-day: 4.5 days), because clients without ARI
    // renew near the window's edge.
    ariWindowEndGraceRatio: 0.05,
    // AcmeAriWindowMovedEarlier: the window start moved earlier by more than
    // this, compared with its latest value in ariWindowMovedLookbackSeconds.
    ariWindowMovedEarlierSeconds: 3600,
    ariWindowMovedLookbackSeconds: 6 * 3600,
    // AcmeAriWindowUnusuallyEarly: the window ends before this fraction of
    // the lifetime (normal: 0.51 for short, 0.68 for other certificates).
    ariWindowEarlyEndRatio: 0.4,


    // AcmeDnsSerialOutOfSync / AcmeDnsTxtInconsistent: how long authoritative
    // servers may disagree (propagation budget); used as the alerts' `for`.
    dnsPropagationBudgetSeconds: 30 * 60,
    // AcmeDnsTxtInconsistent `for`: a DNS-01 validation waits for propagation
    // for minutes; longer than this, some server keeps a stale record.
    dnsTxtInconsistentForSeconds: 10 * 60,
    // AcmeDnsRrsigExpiringSoon: DNSSEC signatures expiring within this.
    dnsRrsigExpiringSeconds: 3 * 86400,

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
    // not reloaded certificate (deploy hooks usually reload within minutes).
    endpointStaleForSeconds: 60 * 60,

    // AcmeRenewalJobNotRunning: the renewal job last ran longer ago than this
    // (certbot's timer runs twice a day with up to 12 h random delay).
    renewalJobMaxAgeSeconds: 36 * 3600,
    // AcmeRenewalScheduledTimePassed: the client's own planned renewal time
    // is this far in the past (acme.sh checks once a day).
    renewalScheduledGraceSeconds: 25 * 3600,

    // AcmeCheckFailing: checks that have their own alert and are excluded.
    checkFailingExcluded: 'clock_ntp|certificate_file',
    // AcmeCheckFailing: failure reasons that are states, not faults: ARI
    // answers still pending, a CA that does not know the certificate (Let's
    // Encrypt answers 404 for other CAs' certificates), no directory known.
    checkFailingBenignReasons: 'pending|certificate_unknown|no_directory',

    // Multiply every alert `for` by this (e.g. 0.01 in an end-to-end test so
    // that 15m becomes 9s). 1 in production.
    forScale: 1,
    // Per-alert `for` in seconds, used as is (forScale does not apply):
    // { AcmeCertificateExpired: 5 }.
    forOverrides: {},

    // runbook_url of every alert: this pattern % lower-case alert name.
    runbookURLPattern: 'https://github.com/acme-exporter/acme_exporter/blob/main/docs/runbook.md#%s',

    // Dashboards.
    dashboardNamePrefix: 'ACME / ',
    dashboardTags: ['acme', 'acme_exporter'],
    dashboardRefresh: '1m',
    dashboardTimeFrom: 'now-7d',
    // Selector used by every dashboard query (job and instance variables).
    dashboardSelector: 'job=~"$job", instance=~"$instance"',
    // Metric and selector the job/instance variables are read from.
    dashboardVariableMetric: 'up{%s}' % self.acmeExporterSelector,
  },
}
