// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package listeners lists the host's listening TCP sockets from
// /proc/net/tcp{,6}, their accept queues from netlink sock_diag, and the
// processes holding them from /proc/<pid>/fd.
package listeners

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/files"
)

// maxProcNetSize bounds what is read of /proc/net/tcp{,6}.
const maxProcNetSize = 64 << 20

// Listener is one listening address (sockets sharing it with SO_REUSEPORT
// are summed).
type Listener struct {
	Addr      netip.AddrPort
	Queue     int
	Backlog   int      // summed listen backlogs; -1 when unknown
	Processes []string // sorted process names (comm) holding a socket
	Visible   bool     // every socket's holder was found
	inodes    []uint64
}

// Listeners reads the listening TCP sockets and finds the processes holding
// them where permissions allow. Read-only. For the host's own /proc it asks
// netlink sock_diag for the listeners only (which also gives their
// backlogs): /proc/net/tcp walks the kernel's whole connection hash table,
// about 5 ms per read on this 24 GiB machine whatever the number of
// sockets. Other roots (fixtures), or a kernel refusing sock_diag, are
// read from root/net/tcp{,6}.
func Listeners(root string) ([]*Listener, error) {
	var socks []procSocket
	var backlog map[uint64]int
	if filepath.Clean(root) == "/proc" {
		if ds, err := listenSockets(); err == nil {
			backlog = make(map[uint64]int, len(ds))
			for _, d := range ds {
				socks = append(socks, d.procSocket)
				backlog[d.Inode] = d.Backlog
			}
		}
	}
	if backlog == nil {
		var err error
		if socks, err = procListeners(root); err != nil {
			return nil, err
		}
	}
	byAddr := map[netip.AddrPort]*Listener{}
	var out []*Listener
	for _, s := range socks {
		if s.State != tcpListen {
			continue
		}
		l := byAddr[s.Local]
		if l == nil {
			l = &Listener{Addr: s.Local, Backlog: -1}
			byAddr[s.Local] = l
			out = append(out, l)
		}
		l.Queue += s.RxQueue
		l.inodes = append(l.inodes, s.Inode)
	}
	if len(out) > 0 {
		holders(root, out)
		if backlog != nil {
			setBacklogs(out, backlog)
		}
	}
	slices.SortFunc(out, func(a, b *Listener) int { return a.Addr.Compare(b.Addr) })
	return out, nil
}

// procListeners reads root/net/tcp and root/net/tcp6.
func procListeners(root string) ([]procSocket, error) {
	var socks []procSocket
	found := false
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		b, err := ReadLimited(filepath.Join(root, f), maxProcNetSize)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // no IPv6 in this kernel
			}
			return nil, failure.New("proc_unreadable", err)
		}
		found = true
		ss, err := ParseProcNetTCP(b)
		if err != nil {
			return nil, failure.New("proc_parse_error", err)
		}
		socks = append(socks, ss...)
	}
	if !found {
		return nil, failure.New("proc_unreadable", fmt.Errorf("%s/net/tcp missing", root))
	}
	return socks, nil
}

// ReadLimited reads at most max bytes of a regular file (files.ReadLimited:
// never blocked by a FIFO).
func ReadLimited(path string, max int64) ([]byte, error) {
	return files.ReadLimited(path, max)
}

// holders maps socket inodes to process names by reading the links in
// root/<pid>/fd. Processes whose fd directory cannot be read (other users
// without privileges) leave their sockets not visible.
func holders(root string, ls []*Listener) {
	want := map[uint64]*Listener{}
	for _, l := range ls {
		for _, ino := range l.inodes {
			want[ino] = l
		}
	}
	names := map[*Listener]map[string]bool{}
	seen := map[uint64]bool{}
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range ents {
		pid := e.Name()
		if pid == "" || pid[0] < '0' || pid[0] > '9' {
			continue
		}
		fdDir := filepath.Join(root, pid, "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		var comm string
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
			if err != nil {
				continue
			}
			l, ok := want[ino]
			if !ok {
				continue
			}
			if comm == "" {
				b, _ := os.ReadFile(filepath.Join(root, pid, "comm"))
				comm = strings.TrimSpace(string(b))
				if comm == "" {
					comm = "unknown"
				}
			}
			if names[l] == nil {
				names[l] = map[string]bool{}
			}
			names[l][comm] = true
			seen[ino] = true
		}
	}
	for _, l := range ls {
		l.Visible = true
		for _, ino := range l.inodes {
			if !seen[ino] {
				l.Visible = false
			}
		}
		for n := range names[l] {
			l.Processes = append(l.Processes, n)
		}
		sort := slices.Sorted(slices.Values(l.Processes))
		l.Processes = sort
	}
}

// TCP states of /proc/net/tcp.
const tcpListen = 0x0A

type procSocket struct {
	Local   netip.AddrPort
	State   int
	RxQueue int // for listeners: the current accept-queue length
	Inode   uint64
}

// ParseProcNetTCP parses /proc/net/tcp or /proc/net/tcp6.
func ParseProcNetTCP(b []byte) ([]procSocket, error) {
	var out []procSocket
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if strings.Contains(line, "local_address") {
				continue
			}
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("short line %q", truncate(line))
		}
		local, err := parseHexAddrPort(f[1])
		if err != nil {
			return nil, err
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad state %q", truncate(f[3]))
		}
		_, rx, ok := strings.Cut(f[4], ":")
		if !ok {
			return nil, fmt.Errorf("bad queue field %q", truncate(f[4]))
		}
		rxn, err := strconv.ParseUint(rx, 16, 32)
		if err != nil {
			return nil, fmt.Errorf("bad queue field %q", truncate(f[4]))
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad inode %q", truncate(f[9]))
		}
		out = append(out, procSocket{Local: local, State: int(st), RxQueue: int(rxn), Inode: ino})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseHexAddrPort parses "0100007F:0050" (IPv4) or 32 hex digits (IPv6),
// each 32-bit word in host (little-endian) order.
func parseHexAddrPort(s string) (netip.AddrPort, error) {
	hs, ps, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", truncate(s))
	}
	port, err := strconv.ParseUint(ps, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q", truncate(s))
	}
	raw, err := hex.DecodeString(hs)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", truncate(s))
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}

// setBacklogs sums the listen backlogs of each listener's sockets; a
// listener with a socket sock_diag did not report keeps -1 (unknown).
func setBacklogs(ls []*Listener, backlog map[uint64]int) {
	for _, l := range ls {
		sum, known := 0, true
		for _, ino := range l.inodes {
			b, ok := backlog[ino]
			if !ok {
				known = false
				break
			}
			sum += b
		}
		if known {
			l.Backlog = sum
		}
	}
}

// Netlink sock_diag (linux/inet_diag.h): a dump of listening TCP sockets.
const (
	netlinkInetDiag   = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily  = 20 // SOCK_DIAG_BY_FAMILY
	inetDiagReqV2Len  = 56
	inetDiagMsgLen    = 72
	maxSockDiagReplys = 1 << 16
)

// diagSocket is a listening socket as sock_diag reports it.
type diagSocket struct {
	procSocket
	Backlog int // idiag_wqueue of a LISTEN socket
}

// listenSockets dumps the listening TCP sockets, IPv4 and IPv6, with the
// kernel filtering by state. Read-only: a dump request.
func listenSockets() ([]diagSocket, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, netlinkInetDiag)
	if err != nil {
		return nil, err
	}
	defer func() { _ = syscall.Close(fd) }()
	tv := syscall.Timeval{Sec: 2}
	_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, err
	}
	var out []diagSocket
	for i, family := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
		req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqV2Len)
		binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
		binary.NativeEndian.PutUint16(req[4:], sockDiagByFamily)
		binary.NativeEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
		binary.NativeEndian.PutUint32(req[8:], uint32(i+1))
		body := req[syscall.NLMSG_HDRLEN:]
		body[0] = family
		body[1] = syscall.IPPROTO_TCP
		binary.NativeEndian.PutUint32(body[4:], 1<<tcpListen)
		if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
			return nil, err
		}
		if out, err = readSockDiag(fd, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readSockDiag(fd int, out []diagSocket) ([]diagSocket, error) {
	buf := make([]byte, 32<<10)
	for n := 0; n < maxSockDiagReplys; n++ {
		k, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:k])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				return out, nil
			case syscall.NLMSG_ERROR:
				return nil, errors.New("sock_diag: netlink error")
			}
			if d, ok := parseInetDiagMsg(m.Data); ok {
				out = append(out, d)
			}
		}
	}
	return nil, errors.New("sock_diag: too many replies")
}

// parseInetDiagMsg reads an inet_diag_msg: family, state, the local
// address and port (network order), the queues and the inode.
func parseInetDiagMsg(b []byte) (diagSocket, bool) {
	if len(b) < inetDiagMsgLen {
		return diagSocket{}, false
	}
	var a netip.Addr
	switch b[0] {
	case syscall.AF_INET:
		a = netip.AddrFrom4([4]byte(b[8:12]))
	case syscall.AF_INET6:
		a = netip.AddrFrom16([16]byte(b[8:24])).Unmap()
	default:
		return diagSocket{}, false
	}
	return diagSocket{
		procSocket: procSocket{
			Local:   netip.AddrPortFrom(a, binary.BigEndian.Uint16(b[4:])),
			State:   int(b[1]),
			RxQueue: int(binary.NativeEndian.Uint32(b[56:])),
			Inode:   uint64(binary.NativeEndian.Uint32(b[68:])),
		},
		Backlog: int(binary.NativeEndian.Uint32(b[60:])),
	}, true
}

// truncate shortens a malformed /proc line quoted in an error.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
