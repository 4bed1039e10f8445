#!/usr/bin/env python3
# Copyright 2026 The acme_exporter Authors
# SPDX-License-Identifier: Apache-2.0
"""Writes the fleet simulations of alerts/tests/ (fleet_*.yaml).

Hand-writing weeks of series for a fleet is error-prone, so this script
simulates certificates the way ACME clients renew them and writes promtool
tests with the label sets the exporter emits (file series: name, source,
target; endpoint series add address; /probe jobs carry the target as
instance). Healthy cycles must leave ALERTS empty (nothing pending or
firing); each fault must page (exactly that page) by its deadline.

Run: python3 scripts/gen-alert-tests.py   (rewrites alerts/tests/fleet_*.yaml)
"""
import os

H = 3600
D = 86400
HOST = 'web1.example.com:10190'
JOB = 'acme_exporter'
PROBE_JOB = 'acme_probe_endpoint'
GROUP_ORDER = '[acme-certificate-rules, acme-lifecycle, acme-ari, acme-account, acme-http01, acme-dns, acme-ratelimit, acme-clock, acme-served-certificate, acme-renewal, acme-directory, acme-exporter]'
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'alerts', 'tests')


def labels(d):
    return ', '.join('%s="%s"' % kv for kv in d.items())


def series(metric, lbl, values):
    return {'series': '%s{%s}' % (metric, labels(lbl)), 'values': values}


def steps(points, n, step):
    """points: list of (time_seconds, value or None) change points, sorted.
    Renders n+1 samples at step seconds in promtool's expanding notation."""
    out = []
    cur = None
    run = 0
    idx = 0
    vals = []
    for i in range(n + 1):
        t = i * step
        while idx < len(points) and points[idx][0] <= t:
            cur = points[idx][1]
            idx += 1
        vals.append(cur)
    # compress runs
    i = 0
    while i < len(vals):
        j = i
        while j + 1 < len(vals) and vals[j + 1] == vals[i]:
            j += 1
        v = '_' if vals[i] is None else ('%d' % vals[i] if float(vals[i]).is_integer() else repr(vals[i]))
        cnt = j - i + 1
        if cnt == 1:
            out.append(v)
        elif vals[i] is None:
            out.append('_x%d' % cnt)
        else:
            out.append('%sx%d' % (v, cnt - 1))
        i = j + 1
    return ' '.join(out)


class Cert:
    """One certificate name: issuances (notBefore, lifetime) and when each
    reached disk and the endpoint."""

    def __init__(self, name, path, endpoint=None, addresses=('192.0.2.10:443',)):
        self.name, self.path, self.endpoint, self.addresses = name, path, endpoint, addresses
        self.issued = []  # (disk_time, not_before, not_after, served_time)

    def add(self, disk, nb, life, served):
        self.issued.append((disk, nb, nb + life, served))

    def render(self, n, step, rotate=None):
        out = []
        fl = {'job': JOB, 'instance': HOST, 'name': self.name, 'source': 'file', 'target': self.path}
        nbp = [(d, nb) for d, nb, na, s in self.issued]
        nap = [(d, na) for d, nb, na, s in self.issued]
        out.append(series('acme_certificate_not_before_timestamp_seconds', fl, steps(nbp, n, step)))
        out.append(series('acme_certificate_not_after_timestamp_seconds', fl, steps(nap, n, step)))
        # The chain verifies: its expiry is the leaf's (the intermediate
        # outlives it), exported exactly while the chain is complete.
        out.append(series('acme_certificate_chain_not_after_timestamp_seconds', fl, steps(nap, n, step)))
        out.append(series('acme_certificate_key_match', {k: fl[k] for k in ('job', 'instance', 'name', 'target')}, steps([(0, 1)], n, step)))
        if not self.endpoint:
            return out
        for ai, addr in enumerate(self.addresses):
            el = {'job': PROBE_JOB, 'instance': self.endpoint, 'name': self.name, 'source': 'endpoint', 'target': self.endpoint, 'address': addr}
            sl = {k: el[k] for k in ('job', 'instance', 'name', 'target', 'address')}

            def present(t):
                if rotate is None:
                    return True
                return (t // rotate) % len(self.addresses) == ai
            snb, sna, latest, chain = [], [], [], []
            for i in range(n + 1):
                t = i * step
                if not present(t):
                    for lst in (snb, sna, latest, chain):
                        lst.append((t, None))
                    continue
                served = [c for c in self.issued if c[3] <= t][-1]
                newest = [c for c in self.issued if c[0] <= t][-1]
                snb.append((t, served[1]))
                sna.append((t, served[2]))
                latest.append((t, 1 if served is newest else 0))
                chain.append((t, 1))
            out.append(series('acme_certificate_not_before_timestamp_seconds', el, steps(snb, n, step)))
            out.append(series('acme_certificate_not_after_timestamp_seconds', el, steps(sna, n, step)))
            out.append(series('acme_certificate_chain_not_after_timestamp_seconds', el, steps(sna, n, step)))
            out.append(series('acme_certificate_hostname_match', sl, steps(chain, n, step)))
            out.append(series('acme_endpoint_serving_latest', sl, steps(latest, n, step)))
        return out


def ari(cert, windows, n, step):
    """windows: (time, start, end) change points for the certificate file."""
    fl = {'job': JOB, 'instance': HOST, 'name': cert.name, 'source': 'file', 'target': cert.path}
    return [
        series('acme_ari_window_start_timestamp_seconds', fl, steps([(t, s) for t, s, e in windows], n, step)),
        series('acme_ari_window_end_timestamp_seconds', fl, steps([(t, e) for t, s, e in windows], n, step)),
    ]


def host_series(n, step, up=None):
    h = {'job': JOB, 'instance': HOST}
    return [
        series('up', h, steps(up or [(0, 1)], n, step)),
        series('acme_exporter_collector_success', dict(h, collector='certificate_file'), steps([(0, 1)], n, step)),
        series('acme_exporter_config_last_reload_successful', h, steps([(0, 1)], n, step)),
        series('acme_account_key_usable', dict(h, client='certbot', path='/etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory/4f1c/private_key.json'), steps([(0, 1)], n, step)),
        series('acme_renewal_last_run_timestamp_seconds', dict(h, client='certbot'), steps([(0, 0)], n, step).replace('0x', '0+%dx' % step, 1)),
    ]


def nothing_ever(horizon, at):
    """No alert of any severity fires over the horizon (a reload 2 h after
    a renewal may leave a warning pending, never firing)."""
    return {'expr': 'count_over_time(ALERTS{alertstate="firing"}[%ds])' % horizon, 'eval_time': '%ds' % at, 'exp_samples': []}


def pages_exactly(at, alerts):
    """At `at` the firing critical alerts are exactly these label sets."""
    return {
        # promtool may query before it evaluates the rules of the same
        # timestamp: look back past one evaluation.
        'expr': 'last_over_time(ALERTS{alertstate="firing", severity="critical"}[90m])',
        'eval_time': '%ds' % at,
        'exp_samples': [{'labels': 'ALERTS{%s}' % labels(dict(sorted(dict(a, alertstate='firing', severity='critical').items()))), 'value': 1} for a in alerts],
    }


def renew_cycles(cert, life, renew_at_left, horizon, reload_delay, first_nb=0, backdate=H):
    """Issue, then renew each cycle when renew_at_left(i) seconds are left,
    until past the horizon."""
    nb = first_nb
    cert.add(0, nb, life, 0)
    i = -1
    while nb + life - renew_at_left(i + 1) <= horizon:
        i += 1
        t = nb + life - renew_at_left(i)
        nb = t - backdate
        cert.add(t, nb, life, t + reload_delay)


def dump(path, header, groups, evaluation_interval):
    import json
    lines = ['# Generated by scripts/gen-alert-tests.py; do not edit.']
    lines += ['# ' + l for l in header.strip().split('\n')]
    lines.append('rule_files: [../acme_rules.yaml, ../acme_alerts.yaml]')
    lines.append('evaluation_interval: %s' % evaluation_interval)
    # The alerts read the recording rules of the same timestamp: promtool
    # orders unlisted groups at random, so every group is listed.
    lines.append('group_eval_order: %s' % GROUP_ORDER)
    lines.append('tests:')
    for g in groups:
        lines.append('  # ' + g['comment'])
        lines.append('  - interval: %s' % g['interval'])
        lines.append('    input_series:')
        for s in g['series']:
            lines.append('      - series: %s' % json.dumps(s['series']))
            lines.append('        values: %s' % json.dumps(s['values']))
        lines.append('    promql_expr_test:')
        for t in g['tests']:
            lines.append('      - expr: %s' % json.dumps(t['expr']))
            lines.append('        eval_time: %s' % t['eval_time'])
            if not t['exp_samples']:
                lines.append('        exp_samples: []')
            else:
                lines.append('        exp_samples:')
                for s in t['exp_samples']:
                    lines.append('          - labels: %s' % json.dumps(s['labels']))
                    lines.append('            value: %s' % s['value'])
    with open(os.path.join(ROOT, path), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def healthy():
    groups = []
    # 90-day certbot (timer): 1/3 left, the timer firing 0, 10 or 22 h
    # later; the deploy hook reloads at once. Its addresses rotate every
    # 6 h (DNS round robin). Two renewals: 130 days, every 2 h.
    step, n = 2 * H, 130 * 12
    c90 = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem', 'www.example.com:443', ('192.0.2.10:443', '192.0.2.11:443', '[2001:db8::10]:443'))
    renew_cycles(c90, 90 * D, lambda i: 30 * D - (0, 10, 22)[i % 3] * H, n * step, 0)
    dump('fleet_healthy_90d.yaml', '''
A 90-day certificate renewed by certbot's timer, behind an endpoint name
whose addresses rotate, over two renewals: no alert fires.''', [
        {'comment': '90-day certbot timer, rotating addresses, 130 days.', 'interval': '2h',
         'series': c90.render(n, step, rotate=6 * H) + host_series(n, step), 'tests': [nothing_ever(n * step, n * step)]},
    ], '2h')
    # 45-day ARI client renewing at the start, middle and end of Let's
    # Encrypt's window (day 30 +- 10.8 h), reloading 2 h later (rolling
    # restart); 80 days, hourly.
    step, n = H, 80 * 24
    c45 = Cert('api', '/etc/letsencrypt/live/api/fullchain.pem', 'api.example.com:443')
    renew_cycles(c45, 45 * D, lambda i: 15 * D + (10, 0, -10)[i % 3] * H, n * step, 2 * H)
    ser = c45.render(n, step) + host_series(n, step)
    ser += ari(c45, [(d, nb + int(2 * (na - nb) / 3) - int(0.01 * (na - nb)), nb + int(2 * (na - nb) / 3) + int(0.01 * (na - nb))) for d, nb, na, s in c45.issued], n, step)
    groups.append({'comment': '45-day ARI client at the start, middle and end of the window, reload after 2 h, 80 days.', 'interval': '1h',
                   'series': ser, 'tests': [nothing_ever(n * step, n * step)]})
    # 6-day (160 h) certificates: certbot timer at 1/2 left plus up to
    # 23 h, reload 10 minutes later (inside the hour); autocert at
    # min(lifetime/3, 30 d) left minus up to 1 h jitter, serving from memory.
    step, n = H, 16 * 24
    c6 = Cert('short', '/etc/letsencrypt/live/short/fullchain.pem', 'short.example.com:443')
    renew_cycles(c6, 160 * H, lambda i: 80 * H - (i * 7 % 24) * H, n * step, 0)
    ca = Cert('auto.example.com', '/var/cache/autocert/auto.example.com', 'auto.example.com:443')
    renew_cycles(ca, 160 * H, lambda i: int(160 * H / 3) - (i % 2) * H, n * step, 0)
    groups.append({'comment': '6-day certbot timer and autocert, 16 days.', 'interval': '1h',
                   'series': c6.render(n, step) + ca.render(n, step) + host_series(n, step), 'tests': [nothing_ever(n * step, n * step)]})
    dump('fleet_healthy.yaml', '''
A healthy fleet pages nobody: every normal renewal, reload, address
rotation and ARI window position of the clients discovery supports leaves
ALERTS empty (not even pending), over two renewal cycles and more.''', groups, '1h')

    # 2. A 398-day non-ACME certificate renewed by hand 30 days before expiry,
    # over two cycles, sampled every 6 h.
    step, n = 12 * H, 800 * 2
    cl = Cert('legacy', '/etc/ssl/certs/legacy.example.com.pem', 'legacy.example.com:443')
    renew_cycles(cl, 398 * D, lambda i: 30 * D, n * step, 12 * H, backdate=0)
    ser = cl.render(n, step) + host_series(n, step)
    dump('fleet_longlived.yaml', '''
A 398-day commercial certificate renewed by hand 30 days before expiry and
reloaded within hours, over two cycles: no alert at any point.''', [
        {'comment': '398-day certificate, 800 days.', 'interval': '12h', 'series': ser, 'tests': [nothing_ever(800 * D, 800 * D)]},
    ], '12h')


def transients():
    step, n = 60, 6 * 60
    h = {'job': JOB, 'instance': HOST}
    ser = host_series(n, step)
    c = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem', 'www.example.com:443')
    c.add(0, -40 * D, 90 * D, 0)
    ser += c.render(n, step)
    # NTP unreachable for 12 minutes
    ser.append(series('acme_probe_success', dict(h, check='clock_ntp', target='ntp1.example.net:123'), steps([(0, 1), (60 * 60, 0), (72 * 60, 1)], n, step)))
    ser.append(series('acme_probe_failure_info', dict(h, check='clock_ntp', target='ntp1.example.net:123', reason='timeout'), steps([(0, None), (60 * 60, 1), (72 * 60, None)], n, step)))
    # one nameserver timing out for 10 minutes
    ser.append(series('acme_dns_nameserver_up', dict(h, zone='example.com', nameserver='ns2.example.net'), steps([(0, 1), (120 * 60, 0), (130 * 60, 1)], n, step)))
    ser.append(series('acme_dns_nameserver_failure_info', dict(h, zone='example.com', nameserver='ns2.example.net', reason='timeout'), steps([(0, None), (120 * 60, 1), (130 * 60, None)], n, step)))
    # the ACME directory unreachable for 10 minutes
    d = 'https://acme-v02.api.letsencrypt.org/directory'
    ser.append(series('acme_directory_up', dict(h, directory=d), steps([(0, 1), (180 * 60, 0), (190 * 60, 1)], n, step)))
    ser.append(series('acme_directory_nonce_ok', dict(h, directory=d), steps([(0, 1), (180 * 60, 0), (190 * 60, 1)], n, step)))
    # one endpoint handshake timeout: the probe serves nothing for one scrape
    pl = {'job': PROBE_JOB, 'instance': 'www.example.com:443'}
    ser.append(series('acme_probe_success', dict(pl, check='endpoint', target='www.example.com:443'), steps([(0, 1), (240 * 60, 0), (241 * 60, 1)], n, step)))
    ser.append(series('acme_probe_failure_info', dict(pl, check='endpoint', target='www.example.com:443', reason='timeout'), steps([(0, None), (240 * 60, 1), (241 * 60, None)], n, step)))
    dump('fleet_transients.yaml', '''
Transients of minutes (NTP, one nameserver, the ACME directory, one
endpoint handshake timeout) page nobody; the ones with a warning keep it
pending at most, never firing.''', [
        {'comment': 'Four transients over six hours.', 'interval': '1m', 'series': ser,
         'tests': [{'expr': 'count_over_time(ALERTS{alertstate="firing"}[6h])', 'eval_time': '6h', 'exp_samples': []}]},
    ], '1m')


def faults():
    hl = {'job': JOB, 'instance': HOST}
    # 90-day certificates, every 3 h.
    step = 3 * H
    groups = []
    # Renewal stopped, 90-day: pages before 1/6 of the lifetime is left.
    n = 75 * 8
    c = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem')
    c.add(0, 0, 90 * D, 0)
    f = {'job': JOB, 'instance': HOST, 'name': 'www', 'source': 'file', 'target': c.path}
    groups.append({'comment': 'Renewal stopped, 90-day certificate: paged before 15 days (1/6) are left.',
                   'interval': '3h', 'series': c.render(n, step) + host_series(n, step),
                   'tests': [pages_exactly(75 * D - step, [dict(f, alertname='AcmeCertificateExpiringSoon')])]})
    # Renewed but never reloaded, 90-day: pages before the served one has 7 days left.
    n = 70 * 8
    c = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem', 'www.example.com:443')
    c.add(0, 0, 90 * D, 0)
    c.add(60 * D, 60 * D - H, 90 * D, 10 ** 12)
    e = {'job': PROBE_JOB, 'instance': 'www.example.com:443', 'name': 'www', 'target': 'www.example.com:443'}
    groups.append({'comment': 'Renewed on day 60 but never reloaded, 90-day: one page, before the served certificate has 7 days left.',
                   'interval': '3h', 'series': c.render(n, step) + host_series(n, step),
                   'tests': [pages_exactly(70 * D, [dict(e, source='endpoint', alertname='AcmeEndpointStalePastRenewal')])]})
    dump('fleet_faults_90d.yaml', '''
Each lifecycle fault of a 90-day certificate pages in time, once: exactly
the expected page fires by the deadline the issue sets.''', groups, '3h')
    # 6-day certificates, hourly.
    groups = []
    step, n = H, 160
    c = Cert('short', '/etc/letsencrypt/live/short/fullchain.pem')
    c.add(0, 0, 160 * H, 0)
    f = {'job': JOB, 'instance': HOST, 'name': 'short', 'source': 'file', 'target': c.path}
    groups.append({'comment': 'Renewal stopped, 6-day certificate: paged with 24 h left at the latest.',
                   'interval': '1h', 'series': c.render(n, step) + host_series(n, step),
                   'tests': [pages_exactly(136 * H, [dict(f, alertname='AcmeCertificateExpiringSoon')])]})
    c = Cert('short', '/etc/letsencrypt/live/short/fullchain.pem', 'short.example.com:443')
    c.add(0, 0, 160 * H, 0)
    c.add(80 * H, 79 * H, 160 * H, 10 ** 12)
    e = {'job': PROBE_JOB, 'instance': 'short.example.com:443', 'name': 'short', 'target': 'short.example.com:443'}
    groups.append({'comment': 'Renewed at 1/2 but never reloaded, 6-day: paged with 24 h left at the latest.',
                   'interval': '1h', 'series': c.render(n, step) + host_series(n, step),
                   'tests': [pages_exactly(130 * H, [dict(e, source='endpoint', alertname='AcmeEndpointStalePastRenewal')])]})
    dump('fleet_faults_6d.yaml', '''
Each lifecycle fault of a 6-day certificate pages in time, once, with at
least 24 hours left.''', groups, '1h')
    groups = []
    # ARI window moved into the past (revocation) on day 20 of 90.
    step, n = 300, 8 * 12
    c = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem')
    c.add(0, -20 * D, 90 * D, 0)
    t0 = 3600
    f = {'job': JOB, 'instance': HOST, 'name': 'www', 'source': 'file', 'target': c.path}
    win = [(0, -20 * D + 59 * D, -20 * D + 61 * D), (t0, t0 - H, t0 - 1800)]
    groups.append({'comment': 'The CA moves the ARI window into the past (revocation): paged within 6 hours.',
                   'interval': '5m', 'series': c.render(n, step) + ari(c, win, n, step) + host_series(n, step),
                   'tests': [pages_exactly(t0 + 6 * H, [dict(f, alertname='AcmeAriWindowEndedNotReplaced')])]})
    # Exporter down.
    step, n = 300, 4 * 12
    groups.append({'comment': 'The exporter stops answering: paged within 2 hours.',
                   'interval': '5m', 'series': host_series(n, step, up=[(0, 1), (1800, 0)]),
                   'tests': [pages_exactly(1800 + 2 * H, [dict(hl, alertname='AcmeExporterDown')])]})
    # Exporter absent: the target leaves service discovery.
    groups.append({'comment': 'The exporter leaves service discovery (no up series at all): the dead-man switch pages within 2 hours.',
                   'interval': '5m', 'series': [series('up', hl, steps([(0, 1), (1800, None)], n, step))],
                   'tests': [pages_exactly(1800 + 2 * H, [{'job': JOB, 'alertname': 'AcmeExporterAbsent'}])]})
    # Account key unusable.
    p = '/etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory/4f1c/private_key.json'
    groups.append({'comment': 'The account key becomes unreadable by the service user: paged.',
                   'interval': '5m', 'series': host_series(n, step)[:1] + [
                       series('acme_account_key_usable', dict(hl, client='certbot', path=p), steps([(0, 1), (1800, 0)], n, step)),
                       series('acme_account_key_problem_info', dict(hl, client='certbot', path=p, problem='unreadable_by_service_user'), steps([(0, None), (1800, 1)], n, step)),
                   ],
                   'tests': [pages_exactly(1800 + H, [dict(hl, client='certbot', path=p, alertname='AcmeAccountKeyUnusable')])]})
    # CAA forbids.
    groups.append({'comment': 'A CAA record stops allowing the CA: paged.',
                   'interval': '5m', 'series': host_series(n, step)[:1] + [
                       series('acme_dns_caa_issuance_allowed', dict(hl, domain='www.example.com', issuer='letsencrypt.org'), steps([(0, 1), (1800, 0)], n, step)),
                       series('acme_dns_caa_info', dict(hl, domain='www.example.com', issuer='letsencrypt.org', reason='issuer_not_listed', relevant_name='example.com'), steps([(0, 1)], n, step)),
                   ],
                   'tests': [pages_exactly(1800 + H, [{'domain': 'www.example.com', 'issuer': 'letsencrypt.org', 'alertname': 'AcmeCaaForbidsIssuance'}])]})
    # Expired certificate served (the file was renewed, the server not reloaded).
    step, n = 300, 12
    c = Cert('www', '/etc/letsencrypt/live/www/fullchain.pem', 'www.example.com:443')
    c.add(0, -91 * D, 90 * D, 0)
    c.add(1, -29 * D, 90 * D, 10 ** 12)
    e = {'job': PROBE_JOB, 'instance': 'www.example.com:443', 'name': 'www', 'source': 'endpoint', 'target': 'www.example.com:443'}
    st = {'job': PROBE_JOB, 'instance': 'www.example.com:443', 'name': 'www', 'target': 'www.example.com:443'}
    groups.append({'comment': 'An endpoint serves an expired certificate: paged as expired (and as stale, firing since long before).',
                   'interval': '5m', 'series': c.render(n, step) + host_series(n, step)[:1],
                   'tests': [{'expr': 'last_over_time(ALERTS{alertstate="firing", severity="critical", alertname="AcmeCertificateExpired"}[90m])', 'eval_time': '10m',
                              'exp_samples': [{'labels': 'ALERTS{%s}' % labels(dict(sorted(dict(e, alertname='AcmeCertificateExpired', alertstate='firing', severity='critical').items()))), 'value': 1}]}]})
    dump('fleet_faults.yaml', '''
Each fault pages in time, once: exactly the expected page fires at the
deadline the issue sets, and nothing else pages.''', groups, '5m')


if __name__ == '__main__':
    healthy()
    transients()
    faults()
