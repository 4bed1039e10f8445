// All dashboards: the overview and one drill-down per root cause.
(import 'overview.libsonnet') +
(import 'account.libsonnet') +
(import 'http01.libsonnet') +
(import 'dns.libsonnet') +
(import 'ratelimit.libsonnet') +
(import 'clock.libsonnet') +
(import 'served.libsonnet') +
(import 'exporter.libsonnet')
