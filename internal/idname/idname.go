// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package idname names user and group ids as `ls -l` does: the name from
// the user and group databases, the number only when the id has none.
package idname

import (
	"os/user"
	"strconv"
	"sync"
	"time"
)

// ttl bounds how long a name is remembered: a user added or renamed
// shows within minutes, and a scrape of many files reads the databases
// once, not once per file.
const ttl = 5 * time.Minute

type entry struct {
	name string
	at   time.Time
}

var (
	mu     sync.Mutex
	users  = map[uint32]entry{}
	groups = map[uint32]entry{}
)

// User returns the name of uid, or the number when it has none.
func User(uid uint32) string {
	return lookup(users, uid, func(id string) (string, error) {
		u, err := user.LookupId(id)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

// Group returns the name of gid, or the number when it has none.
func Group(gid uint32) string {
	return lookup(groups, gid, func(id string) (string, error) {
		g, err := user.LookupGroupId(id)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func lookup(cache map[uint32]entry, id uint32, find func(string) (string, error)) string {
	now := time.Now()
	mu.Lock()
	e, ok := cache[id]
	mu.Unlock()
	if ok && now.Sub(e.at) < ttl {
		return e.name
	}
	num := strconv.FormatUint(uint64(id), 10)
	name, err := find(num)
	if err != nil || name == "" {
		name = num
	}
	mu.Lock()
	cache[id] = entry{name: name, at: now}
	mu.Unlock()
	return name
}
