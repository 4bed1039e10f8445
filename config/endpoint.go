// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Endpoint is one TLS endpoint whose served certificate is checked.
type Endpoint struct {
	// Target is host:port. Every A and AAAA address of host is probed.
	Target string `yaml:"target"`
	// ServerName is the SNI (and the name the leaf must cover); defaults
	// to the host of Target unless that is an IP literal.
	ServerName string `yaml:"server_name"`
	// Name joins the endpoint to its certificate files; defaults to
	// ServerName, else the host of Target.
	Name string `yaml:"name"`
	// Address pins the address to dial (an IP, or ip:port), keeping the
	// name for SNI: no name resolution happens.
	Address string `yaml:"address"`
	// Resolver is a DNS server (ip:port) asked for A and AAAA instead of
	// the host's resolver.
	Resolver string `yaml:"resolver"`
	// StartTLS is the plaintext protocol spoken before TLS: smtp, imap,
	// pop3, ftp, postgres, ldap; empty for TLS from the first byte.
	StartTLS string `yaml:"starttls"`
	// KeyType asks for the certificate of one key algorithm where a
	// server holds two (rsa, ecdsa); empty takes what the server picks.
	KeyType string `yaml:"key_type"`
	// Pins are base64 SHA-256 hashes of SubjectPublicKeyInfo, as
	// mobile apps and HPKP pin them.
	Pins []string `yaml:"pins"`
	// Timeout bounds one check of all addresses.
	Timeout Duration `yaml:"timeout"`
	// MinInterval is the minimum time between two checks.
	MinInterval Duration `yaml:"min_interval"`
}

// EndpointProbeSettings are the settings of an endpoint /probe module.
type EndpointProbeSettings struct {
	ServerName string   `yaml:"server_name"`
	Resolver   string   `yaml:"resolver"`
	StartTLS   string   `yaml:"starttls"`
	KeyType    string   `yaml:"key_type"`
	Pins       []string `yaml:"pins"`
}

// Endpoint defaults.
const (
	DefaultEndpointTimeout = 5 * time.Second
)

// StartTLSProtocols are the protocols the endpoint check can upgrade.
var StartTLSProtocols = []string{"ftp", "imap", "ldap", "pop3", "postgres", "smtp"}

// EndpointKeyTypes are the accepted key_type values.
var EndpointKeyTypes = []string{"ecdsa", "rsa"}

func init() {
	RegisterModuleKind("endpoint", true, func(n *yaml.Node) error {
		_, err := DecodeEndpointSettings(n)
		return err
	})
}

// DecodeEndpointSettings decodes and checks an endpoint module's settings.
func DecodeEndpointSettings(n *yaml.Node) (EndpointProbeSettings, error) {
	var s EndpointProbeSettings
	if n == nil || n.Kind == 0 {
		return s, nil
	}
	if err := decodeStrict(n, &s); err != nil {
		return s, err
	}
	var errs []error
	if s.Resolver != "" {
		if err := checkHostPort(s.Resolver); err != nil {
			errs = append(errs, fmt.Errorf("resolver: %w", err))
		}
	}
	if err := checkOneOf(s.StartTLS, StartTLSProtocols); err != nil {
		errs = append(errs, fmt.Errorf("starttls: %w", err))
	}
	if err := checkOneOf(s.KeyType, EndpointKeyTypes); err != nil {
		errs = append(errs, fmt.Errorf("key_type: %w", err))
	}
	for i, p := range s.Pins {
		if err := CheckPin(p); err != nil {
			errs = append(errs, fmt.Errorf("pins[%d]: %w", i, err))
		}
	}
	return s, errors.Join(errs...)
}

// decodeStrict decodes a node refusing unknown keys.
func decodeStrict(n *yaml.Node, out any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		// Lines here count in the re-marshalled settings block, not in
		// the file: the caller reports the settings' own line.
		msgs := []string{err.Error()}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs = te.Errors
		}
		for i, m := range msgs {
			_, msg := splitLine(m)
			if f := unknownFieldRE.FindStringSubmatch(msg); f != nil {
				msg = unknownField(f[1], keysAt(reflect.TypeOf(out), nil))
			}
			msgs[i] = msg
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

func validateEndpoints(v *Validator, es []Endpoint) {
	seen := map[string]bool{}
	for i := range es {
		e := &es[i]
		p := Path{"endpoints", i}
		host, _, err := SplitTarget(e.Target)
		if err != nil {
			v.Errorf(p.Add("target"), "%v", err)
		}
		// One series set per target and key type.
		if k := e.Target + "/" + e.KeyType; err == nil && seen[k] {
			v.Errorf(p.Add("target"), "%s is listed twice (give the entries different key_type values)", e.Target)
		} else {
			seen[k] = true
		}
		if e.ServerName == "" && host != "" {
			if _, err := netip.ParseAddr(host); err != nil {
				e.ServerName = strings.TrimSuffix(strings.ToLower(host), ".")
			}
		}
		if e.Name == "" {
			e.Name = e.ServerName
			if e.Name == "" {
				e.Name = host
			}
		}
		if e.Address != "" {
			if err := checkPinnedAddress(e.Address); err != nil {
				v.Errorf(p.Add("address"), "%v", err)
			}
		}
		if e.Resolver != "" {
			if err := checkHostPort(e.Resolver); err != nil {
				v.Errorf(p.Add("resolver"), "%v", err)
			}
		}
		if e.Address != "" && e.Resolver != "" {
			v.Errorf(p.Add("resolver"), "set address or resolver, not both")
		}
		if err := checkOneOf(e.StartTLS, StartTLSProtocols); err != nil {
			v.Errorf(p.Add("starttls"), "%v", err)
		}
		if err := checkOneOf(e.KeyType, EndpointKeyTypes); err != nil {
			v.Errorf(p.Add("key_type"), "%v", err)
		}
		for j, pin := range e.Pins {
			if err := CheckPin(pin); err != nil {
				v.Errorf(p.Add("pins").Add(j), "%v", err)
			}
		}
		if e.Timeout == 0 {
			e.Timeout = Duration(DefaultEndpointTimeout)
		}
		if e.Timeout < 0 {
			v.Errorf(p.Add("timeout"), "must not be negative")
		}
		if e.MinInterval < 0 {
			v.Errorf(p.Add("min_interval"), "must not be negative")
		}
	}
}

// SplitTarget splits host:port and checks both halves.
func SplitTarget(t string) (host string, port int, err error) {
	if t == "" {
		return "", 0, errors.New("must not be empty")
	}
	h, ps, err := net.SplitHostPort(t)
	if err != nil {
		return "", 0, fmt.Errorf("must be host:port: %w", err)
	}
	if h == "" {
		return "", 0, errors.New("host must not be empty")
	}
	n, err := strconv.Atoi(ps)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("bad port %q", ps)
	}
	return h, n, nil
}

// checkPinnedAddress accepts an IP literal or ip:port.
func checkPinnedAddress(s string) error {
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	if checkHostPort(s) == nil {
		return nil
	}
	return fmt.Errorf("must be an IP address or ip:port, got %q", s)
}

// CheckPin accepts a base64 SHA-256 (44 characters, 32 bytes).
func CheckPin(s string) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		return fmt.Errorf("must be the base64 SHA-256 of a SubjectPublicKeyInfo, got %q", s)
	}
	return nil
}

func checkOneOf(s string, allowed []string) error {
	if s == "" {
		return nil
	}
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return fmt.Errorf("unknown value %q (one of %s)", s, strings.Join(allowed, ", "))
}
