// Overrides applied to the mixin's _config for the end-to-end bed (rendered
// by rules_test.go; generated files are never edited). Keep the keys in step
// with mixin/config.libsonnet: the bed scrapes job="acme", which the mixin's
// default acmeExporterSelector (job=~"acme.*") already selects, so only
// timing changes here.
{
  _config+:: {
    // Every `for` in seconds instead of minutes: 15m -> 9s, 30m -> 18s,
    // 1h -> 36s, 5m -> 3s. Prometheus evaluates every 2 s on the bed.
    forScale: 0.01,
    // The stale-endpoint alerts wait hours in production (a reload an hour
    // or two after a renewal is normal); scaled, 108 s and 72 s outlast
    // the bed's minutes-long certificates, so they get seconds.
    // The overdue warning lasts from 1/4 to 1/5 of the lifetime left: 9 s
    // of a 3-minute certificate, as long as its scaled for.
    forOverrides: { AcmeEndpointServingStaleCert: 20, AcmeEndpointStalePastRenewal: 10, AcmeCertificateRenewalOverdue: 2 },
    // AcmeClientRateLimited counts rateLimited lines over this window; 1h
    // would keep it firing for an hour after the revert.
    clientErrorsWindow: '1m',
    // AcmeAriWindowMovedEarlier compares with the window's recent maximum.
    ariWindowMovedLookbackSeconds: 120,
  },
}
