// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"net"
	"net/url"
	"regexp"
	"time"
)

// Accounts configures the account-key checks (root cause 1): keys beyond
// the discovered ones, the service user per key, and the opt-in lookup
// that asks the CA whether a key is still registered.
type Accounts struct {
	// CheckRegistration turns the newAccount/onlyReturnExisting lookup on
	// for every discovered account (off by default). Keys listed below
	// decide for themselves.
	CheckRegistration bool `yaml:"check_registration"`
	// RegistrationInterval: at most one lookup per key in this time.
	RegistrationInterval Duration `yaml:"registration_interval"`
	// Timeout bounds one lookup (directory, nonce and newAccount).
	Timeout Duration `yaml:"timeout"`
	// Keys are account keys to check in addition to discovered ones; a
	// key also discovered takes its settings from here.
	Keys []AccountKey `yaml:"keys"`
}

// AccountKey is one account key file.
type AccountKey struct {
	Path   string `yaml:"path"`
	Client string `yaml:"client"`
	// RunAs overrides global.run_as for this key: a user name or uid[:gid].
	RunAs string `yaml:"run_as"`
	// StorageDir is the directory the client must be able to write
	// (default: the directory holding the key).
	StorageDir string `yaml:"storage_dir"`
	// Directory is the ACME directory URL the account belongs to.
	Directory string `yaml:"directory"`
	// CheckRegistration overrides accounts.check_registration.
	CheckRegistration *bool `yaml:"check_registration"`
	// Address is a host:port dialled instead of the directory's host,
	// keeping the name for SNI and Host.
	Address string `yaml:"address"`
}

// Account defaults.
const (
	DefaultRegistrationInterval = 6 * time.Hour
	DefaultAccountTimeout       = 10 * time.Second
)

var runAsRE = regexp.MustCompile(`^([0-9]+(:[0-9]+)?|[a-z_][a-z0-9_.-]*\$?)$`)

// ValidRunAs says whether s is a user name or uid[:gid].
func ValidRunAs(s string) bool { return runAsRE.MatchString(s) }

func (a *Accounts) validate(v *Validator) {
	p := Path{"accounts"}
	if a.RegistrationInterval == 0 {
		a.RegistrationInterval = Duration(DefaultRegistrationInterval)
	}
	if a.RegistrationInterval < Duration(10*time.Minute) {
		v.Errorf(p.Add("registration_interval"), "must be at least 10m: the lookup signs with the account key and counts against the CA's limits")
	}
	if a.Timeout == 0 {
		a.Timeout = Duration(DefaultAccountTimeout)
	}
	if a.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	for i := range a.Keys {
		k := &a.Keys[i]
		kp := p.Add("keys").Add(i)
		if k.Path == "" {
			v.Errorf(kp.Add("path"), "must not be empty")
		} else if !isAbs(k.Path) {
			v.Errorf(kp.Add("path"), "must be an absolute path")
		}
		if k.RunAs != "" && !ValidRunAs(k.RunAs) {
			v.Errorf(kp.Add("run_as"), "must be a user name or uid[:gid], got %q", k.RunAs)
		}
		if k.StorageDir != "" && !isAbs(k.StorageDir) {
			v.Errorf(kp.Add("storage_dir"), "must be an absolute path")
		}
		if k.Directory != "" {
			u, err := url.Parse(k.Directory)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				v.Errorf(kp.Add("directory"), "must be an http(s) URL, got %q", k.Directory)
			}
		}
		if k.CheckRegistration != nil && *k.CheckRegistration && k.Directory == "" {
			v.Errorf(kp.Add("directory"), "must be set when check_registration is true")
		}
		if k.Address != "" {
			if _, _, err := net.SplitHostPort(k.Address); err != nil {
				v.Errorf(kp.Add("address"), "must be host:port, got %q", k.Address)
			}
		}
	}
}
