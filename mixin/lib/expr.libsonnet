// PromQL building blocks shared by alerts and dashboards, so that what a
// dashboard shows is exactly what an alert tests.
{
  // remaining is the fraction of its own lifetime a certificate has left
  // (1 at notBefore, 0 at notAfter, negative once expired).
  remaining(sel)::
    '((acme_certificate_not_after_timestamp_seconds{%(sel)s} - time()) / (acme_certificate_not_after_timestamp_seconds{%(sel)s} - acme_certificate_not_before_timestamp_seconds{%(sel)s}))'
    % { sel: sel },

  // chainIncomplete: the certificates (files or endpoint addresses) whose
  // chain does not verify from what the file holds or the server sends. The
  // exporter exports a certificate's chain expiry exactly when its chain
  // verifies, so an incomplete chain is a notAfter without one; a file that
  // cannot be read has neither and is not counted here.
  chainIncomplete(sel)::
    '(acme_certificate_not_after_timestamp_seconds{%(sel)s} unless acme_certificate_chain_not_after_timestamp_seconds{%(sel)s})'
    % { sel: sel },

  // chainComplete is 1 per certificate whose chain verifies, 0 per one
  // whose chain does not (for tables).
  chainComplete(sel)::
    '(acme_certificate_chain_not_after_timestamp_seconds{%(sel)s} > bool 0 or acme_certificate_not_after_timestamp_seconds{%(sel)s} * 0)'
    % { sel: sel },

  // lifetime is notAfter - notBefore in seconds.
  lifetime(sel)::
    '(acme_certificate_not_after_timestamp_seconds{%(sel)s} - acme_certificate_not_before_timestamp_seconds{%(sel)s})'
    % { sel: sel },
}
