// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// childModes are test bodies run in a re-executed copy of the test binary,
// for cases that need another uid (CI runs as root, which reads anything).
// A test file adds one from init(); the child is selected by the
// ACME_TEST_CHILD environment variable and its stdout goes to the parent.
var childModes = map[string]func() int{}

func TestMain(m *testing.M) {
	if mode := os.Getenv("ACME_TEST_CHILD"); mode != "" {
		f, ok := childModes[mode]
		if !ok {
			fmt.Fprintln(os.Stderr, "unknown child mode", mode)
			os.Exit(3)
		}
		os.Exit(f())
	}
	os.Exit(m.Run())
}

// runAsNobody runs child mode as uid/gid 65534 via setpriv and returns its
// stdout. The test binary is copied to dir, which must be world-readable.
func runAsNobody(t *testing.T, dir, mode string, env ...string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "collector.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatal("setpriv (util-linux) is needed to test as an unprivileged user")
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin)
	cmd.Env = append([]string{"ACME_TEST_CHILD=" + mode, "PATH=/usr/bin:/bin"}, env...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("child %s: %v\n%s%s", mode, err, out, stderr)
	}
	return string(out)
}
