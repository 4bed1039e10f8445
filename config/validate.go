// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Path locates a field: map keys (string) and list indexes (int).
type Path []any

// Add returns a copy of p extended by one element.
func (p Path) Add(e any) Path {
	q := make(Path, len(p), len(p)+1)
	copy(q, p)
	return append(q, e)
}

func (p Path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

// Validator collects validation errors with the line of the offending field.
type Validator struct {
	root *yaml.Node
	errs Errors
}

// Errorf records an error for the field at p.
func (v *Validator) Errorf(p Path, format string, args ...any) {
	v.errs.add(FieldError{Line: v.line(p), Field: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// err returns the errors in line order, or nil.
func (v *Validator) err() error {
	if len(v.errs.List) == 0 {
		return nil
	}
	return v.errs.sorted()
}

// line finds the line of the deepest node along p; 1 when the field is
// absent (a default that failed validation).
func (v *Validator) line(p Path) int {
	n := v.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := 1
	if n != nil && n.Line > 0 {
		best = n.Line
	}
	for _, e := range p {
		if n == nil {
			break
		}
		var next *yaml.Node
		switch e := e.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && e < len(n.Content) {
				next = n.Content[e]
			}
		default:
			key := fmt.Sprint(e)
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == key {
						next = n.Content[i+1]
						if next.Kind == yaml.MappingNode || next.Kind == yaml.SequenceNode {
							best = n.Content[i].Line
						}
						break
					}
				}
			}
		}
		n = next
		if n != nil && n.Line > 0 {
			best = n.Line
		}
	}
	return best
}

// Duration is a time.Duration written as "30s", "5m" or "1h30m" (and "1d").
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	if strings.HasSuffix(s, "d") {
		days, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil {
			return fmt.Errorf("line %d: invalid duration %q (use 30s, 5m, 1h or 2d)", n.Line, s)
		}
		*d = Duration(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: invalid duration %q (use 30s, 5m, 1h or 2d)", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

func (d Duration) String() string { return time.Duration(d).String() }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func checkGlob(p string) error {
	if !filepath.IsAbs(p) {
		return errors.New("must be an absolute path")
	}
	if _, err := filepath.Match(p, ""); err != nil {
		return fmt.Errorf("bad glob %q: %w", p, err)
	}
	if err := globSyntax(p); err != nil {
		return fmt.Errorf("bad glob %q: %w", p, err)
	}
	return nil
}

// globSyntax reports a malformed filepath.Match pattern anywhere in p.
// filepath.Match notices a bad part only once a name gets that far, so a
// glob such as /etc/letsencrypt/live/*[ would load and fail at every
// scrape instead of at load time.
func globSyntax(p string) error {
	// char reads one character of a class at p[i] (escapes included) and
	// returns the index after it; a class must go on after it.
	char := func(i int) (int, error) {
		if i >= len(p) || p[i] == '-' || p[i] == ']' {
			return 0, filepath.ErrBadPattern
		}
		if p[i] == '\\' {
			if i++; i >= len(p) {
				return 0, filepath.ErrBadPattern
			}
		}
		r, w := utf8.DecodeRuneInString(p[i:])
		if r == utf8.RuneError && w == 1 || i+w >= len(p) {
			return 0, filepath.ErrBadPattern
		}
		return i + w, nil
	}
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			if i++; i >= len(p) {
				return filepath.ErrBadPattern
			}
		case '[':
			i++
			if i < len(p) && p[i] == '^' {
				i++
			}
			for n := 0; ; n++ {
				if i < len(p) && p[i] == ']' && n > 0 {
					break
				}
				var err error
				if i, err = char(i); err != nil {
					return err
				}
				if p[i] == '-' {
					if i, err = char(i + 1); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func checkPattern(p string) error {
	if p == "" {
		return errors.New("must not be empty")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("bad pattern %q: %w", p, err)
	}
	return nil
}

func checkCIDR(s string) error {
	if _, err := netip.ParsePrefix(s); err != nil {
		return fmt.Errorf("bad CIDR %q", s)
	}
	return nil
}

func isAbs(p string) bool { return filepath.IsAbs(p) }

func sortStrings(s []string) { sort.Strings(s) }

// checkHostPort accepts ip:port (a literal address, so that no name is
// ever sent to the host's resolver to find a resolver).
func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not ip:port", s)
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return fmt.Errorf("%q is not an IP address", host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}
