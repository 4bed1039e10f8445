// PromQL building blocks shared by alerts and dashboards, so that what a
// dashboard shows is exactly what an alert tests.
{
  // remaining is the fraction of its own lifetime a certificate has left
  // (1 at notBefore, 0 at notAfter, negative once expired).
  remaining(sel)::
    '((acme_certificate_not_after_timestamp_seconds{%(sel)s} - time()) / (acme_certificate_not_after_timestamp_seconds{%(sel)s} - acme_certificate_not_before_timestamp_seconds{%(sel)s}))'
    % { sel: sel },

  // lifetime is notAfter - notBefore in seconds.
  lifetime(sel)::
    '(acme_certificate_not_after_timestamp_seconds{%(sel)s} - acme_certificate_not_before_timestamp_seconds{%(sel)s})'
    % { sel: sel },
}
