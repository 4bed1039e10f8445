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

  // remainingBetween selects certificates whose remaining fraction is below
  // upper and at or above lower (strictly above when strictLower; no lower
  // bound when lower is null), with separate bounds for certificates shorter
  // than c.shortLifetimeSeconds. The value is the fraction.
  remainingBetween(c, sel, upperLong, upperShort, lowerLong=null, lowerShort=null, strictLower=false)::
    local r = $.remaining(sel);
    local op = if strictLower then '>' else '>=';
    local part(upper, lower, lifeOp) =
      '(\n  %s < %g\n' % [r, upper]
      + (if lower == null then '' else '  and %s %s %g\n' % [r, op, lower])
      + '  and %s %s %d\n)' % [$.lifetime(sel), lifeOp, c.shortLifetimeSeconds];
    '%s\nor\n%s\n' % [part(upperLong, lowerLong, '>='), part(upperShort, lowerShort, '<')],

  // byCert aggregates a certificate series to the labels ARI series carry
  // (endpoint series also carry address).
  byCert(c, expr):: 'max by (%s) (%s)' % [c.certificateJoinLabels, expr],
}
