// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/sys/unix"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// aclBytes builds a system.posix_acl_access value.
func aclBytes(entries ...[3]uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, uint16(e[0]))
		b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
		b = binary.LittleEndian.AppendUint32(b, e[2])
	}
	return b
}

const (
	tagUserObj  = 0x01
	tagUser     = 0x02
	tagGroupObj = 0x04
	tagGroup    = 0x08
	tagMask     = 0x10
	tagOther    = 0x20
	noID        = 0xffffffff
)

// TestPermissionMatrix computes readability for a configured service user
// (uid 1000, in group 2000 only), never for the test's own uid, so it
// passes when run as root.
func TestPermissionMatrix(t *testing.T) {
	svc := Identity{UID: 1000, GID: 1000, Groups: []uint32{1000, 2000}}
	acl := func(es ...[3]uint32) *ACL {
		a, err := ParseACL(aclBytes(es...))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tc := range []struct {
		name string
		id   Identity
		meta FileMeta
		want bool
	}{
		{"owner 0400", svc, FileMeta{UID: 1000, GID: 0, Mode: 0o400}, true},
		{"owner 0200 (write only)", svc, FileMeta{UID: 1000, GID: 0, Mode: 0o200}, false},
		{"owner without read though group could", svc, FileMeta{UID: 1000, GID: 2000, Mode: 0o040}, false},
		{"group member 0640", svc, FileMeta{UID: 0, GID: 2000, Mode: 0o640}, true},
		{"not in group 0640", svc, FileMeta{UID: 0, GID: 3000, Mode: 0o640}, false},
		{"primary group 0640", svc, FileMeta{UID: 0, GID: 1000, Mode: 0o640}, true},
		{"other 0604", svc, FileMeta{UID: 0, GID: 3000, Mode: 0o604}, true},
		{"group member but group denied, other allowed", svc, FileMeta{UID: 0, GID: 2000, Mode: 0o604}, false},
		{"root user reads 0000", Identity{UID: 0}, FileMeta{UID: 5, GID: 5, Mode: 0}, true},
		{"acl named user", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, true},
		{"acl named user masked out", svc, FileMeta{UID: 0, GID: 0, Mode: 0o600, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
			[3]uint32{tagMask, 0, noID}, [3]uint32{tagOther, 0, noID})}, false},
		{"acl named group", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagGroup, 4, 2000},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, true},
		{"acl named group, user not member", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagGroup, 4, 3000},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, false},
		{"acl other", svc, FileMeta{UID: 0, GID: 0, Mode: 0o604, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagOther, 4, noID})}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Allowed(tc.id, tc.meta, accessRead); got != tc.want {
				t.Errorf("read allowed = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCanAccessFiles: real files with owners, modes and an ACL xattr set
// by the test (as root in CI), judged for uid 65534 (nobody).
func TestCanAccessFiles(t *testing.T) {
	dir := testbed.Dir(t)
	nobody := Identity{UID: 65534, GID: 65534, Groups: []uint32{65534}}
	inGroup := Identity{UID: 65534, GID: 65534, Groups: []uint32{65534, 4242}}
	mk := func(name string, uid, gid int, mode os.FileMode, acl []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatalf("chown (the permission tests create files for other users and run as root in CI): %v", err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if acl != nil {
			if err := unix.Setxattr(p, "system.posix_acl_access", acl, 0); err != nil {
				t.Fatalf("setting ACL: %v", err)
			}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		path string
		id   Identity
		want bool
	}{
		{"root-owned 0600", mk("a", 0, 0, 0o600, nil), nobody, false},
		{"root-owned 0644", mk("b", 0, 0, 0o644, nil), nobody, true},
		{"owned by nobody 0400", mk("c", 65534, 65534, 0o400, nil), nobody, true},
		{"group 4242 0640, member", mk("d", 0, 4242, 0o640, nil), inGroup, true},
		{"group 4242 0640, not member", mk("e", 0, 4242, 0o640, nil), nobody, false},
		{"ACL grants nobody read", mk("f", 0, 0, 0o600, aclBytes([3]uint32{tagUserObj, 6, noID},
			[3]uint32{tagUser, 4, 65534}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagMask, 4, noID},
			[3]uint32{tagOther, 0, noID})), nobody, true},
		{"missing", filepath.Join(dir, "nope"), nobody, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CanAccess(tc.id, tc.path, accessRead); got != tc.want {
				t.Errorf("CanAccess = %v, want %v", got, tc.want)
			}
		})
	}
	// A directory on the way that nobody cannot search hides everything below.
	sub := filepath.Join(dir, "private")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(sub, "key")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if CanAccess(nobody, p, accessRead) {
		t.Error("file under a 0700 root directory is readable by nobody?")
	}
}

func ecKeyPEM(t *testing.T) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), k
}

func TestAccountKeyGolden(t *testing.T) {
	dir := testbed.Dir(t)
	keyPEM, _ := ecKeyPEM(t)
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.key", keyPEM, 0o600)
	loose := write("loose.key", keyPEM, 0o644)
	garbage := write("garbage.key", []byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"), 0o600)
	missing := filepath.Join(dir, "missing.key")
	jwk, err := os.ReadFile("../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json")
	if err != nil {
		t.Fatal(err)
	}
	certbot := write("private_key.json", jwk, 0o400)
	yml := fmt.Sprintf(`
global: {run_as: "65534"}
accounts:
  keys:
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego}
    - {path: %q, client: certbot, run_as: "0:0"}
    - {path: %q, client: autocert}
`, good, loose, garbage, missing, certbot, good+"-nobody")
	if err := os.Link(good, good+"-nobody"); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, yml, testcerts.Epoch, nil)
	h := newHarness(env, map[string]Collector{"account": &accountCollector{reg: map[string]*regState{}}})
	// owner and group are names, as ls -l shows them.
	owner, group := lsNames(t, os.Getuid(), os.Getgid())
	want := fmt.Sprintf(`
acme_account_key_usable{client="lego",path="%[1]s"} 1
acme_account_key_usable{client="lego",path="%[2]s"} 1
acme_account_key_usable{client="lego",path="%[3]s"} 0
acme_account_key_usable{client="lego",path="%[4]s"} 0
acme_account_key_usable{client="certbot",path="%[5]s"} 1
acme_account_key_usable{client="autocert",path="%[6]s"} 0
acme_account_key_insecure{client="lego",path="%[1]s"} 0
acme_account_key_insecure{client="lego",path="%[2]s"} 1
acme_account_key_insecure{client="lego",path="%[3]s"} 0
acme_account_key_insecure{client="certbot",path="%[5]s"} 0
acme_account_key_insecure{client="autocert",path="%[6]s"} 0
acme_account_key_problem_info{client="lego",path="%[3]s",problem="parse_error"} 1
acme_account_key_problem_info{client="lego",path="%[4]s",problem="missing"} 1
acme_account_key_problem_info{client="autocert",path="%[6]s",problem="unreadable_by_service_user"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0600",owner="%[7]s",path="%[1]s",service_user="0"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0644",owner="%[7]s",path="%[2]s",service_user="0"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="",mode="0600",owner="%[7]s",path="%[3]s",service_user="0"} 1
acme_account_key_info{client="certbot",format="jwk",group="%[8]s",key_type="rsa2048",mode="0400",owner="%[7]s",path="%[5]s",service_user="0:0"} 1
acme_account_key_info{client="autocert",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0600",owner="%[7]s",path="%[6]s",service_user="65534"} 1
acme_probe_success{check="account_key",target="%[1]s"} 1
acme_probe_success{check="account_key",target="%[2]s"} 1
acme_probe_success{check="account_key",target="%[3]s"} 1
acme_probe_success{check="account_key",target="%[4]s"} 1
acme_probe_success{check="account_key",target="%[5]s"} 1
acme_probe_success{check="account_key",target="%[6]s"} 1
`, good, loose, garbage, missing, certbot, good+"-nobody", owner, group)
	compare(t, h, want, "acme_account_key_usable", "acme_account_key_insecure", "acme_account_key_problem_info",
		"acme_account_key_info", "acme_probe_success")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

func TestParseAccountKeyFormats(t *testing.T) {
	ec, k := ecKeyPEM(t)
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	for _, tc := range []struct {
		name, format, keyType string
		data                  []byte
		err                   bool
	}{
		{"sec1", "pem", "ecdsa_p256", ec, false},
		{"pkcs8", "pem", "ecdsa_p256", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), false},
		{"certbot jwk", "jwk", "rsa2048", mustRead(t, "../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json"), false},
		{"lego sec1", "pem", "ecdsa_p256", mustRead(t, "../discovery/testdata/lego/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key"), false},
		{"public key only", "", "", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), true},
		{"bad jwk", "jwk", "", []byte(`{"kty":"EC","crv":"P-256","d":"!!"}`), true},
		{"empty", "", "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, format, err := ParseAccountKey(tc.data)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			if err == nil && certs.KeyType(s.Public()) != tc.keyType {
				t.Errorf("key type %q, want %q", certs.KeyType(s.Public()), tc.keyType)
			}
			if err != nil && strings.Contains(err.Error(), "AAAA") {
				t.Errorf("error quotes key material: %v", err)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var _ = time.Second

// lsNames are the user and group names of uid and gid from the system's
// databases, as ls -l prints them.
func lsNames(t *testing.T, uid, gid int) (string, string) {
	t.Helper()
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		t.Fatalf("uid %d has no name: %v", uid, err)
	}
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		t.Fatalf("gid %d has no name: %v", gid, err)
	}
	return u.Username, g.Name
}
