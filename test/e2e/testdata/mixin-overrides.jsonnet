// Overrides applied to the mixin's _config for the end-to-end bed: the
// exporter's job and `for` durations in seconds instead of minutes. Keys the
// mixin does not have are ignored by it; keep this in step with
// mixin/config.libsonnet.
{
  _config+:: {},
}
