// All alert groups: lifecycle, ARI, one per root cause, renewal job,
// directory and exporter health.
(import 'lifecycle.libsonnet') +
(import 'ari.libsonnet') +
(import 'account.libsonnet') +
(import 'http01.libsonnet') +
(import 'dns.libsonnet') +
(import 'ratelimit.libsonnet') +
(import 'clock.libsonnet') +
(import 'certificate.libsonnet') +
(import 'renewal.libsonnet') +
(import 'directory.libsonnet') +
(import 'exporter.libsonnet')
