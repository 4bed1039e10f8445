// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem at one place of a configuration file.
type FieldError struct {
	Line  int
	Field string // dotted path, e.g. certificate_files[0].path; "" for syntax errors
	Msg   string
}

func (e FieldError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("%d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%d: %s: %s", e.Line, e.Field, e.Msg)
}

// Errors is every problem found in one file, in line order. Each line of
// Error() starts with "file:line: " so editors and people jump straight
// to it, the second error as much as the first.
type Errors struct {
	File string // "" when parsed from bytes
	List []FieldError
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, fe := range e.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.File != "" {
			b.WriteString(e.File)
			b.WriteByte(':')
		}
		b.WriteString(fe.String())
	}
	return b.String()
}

func (e *Errors) add(fe FieldError) { e.List = append(e.List, fe) }

// sorted orders the errors by line; errors on one line keep their order.
func (e *Errors) sorted() *Errors {
	sort.SliceStable(e.List, func(i, j int) bool { return e.List[i].Line < e.List[j].Line })
	return e
}

var (
	yamlLineRE     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// syntaxErrors words a file yaml cannot parse at all.
func syntaxErrors(err error, src []byte) *Errors {
	line, msg := splitLine(err.Error())
	if line == 0 {
		return &Errors{List: []FieldError{{Line: 1, Msg: msg}}}
	}
	return &Errors{List: []FieldError{{Line: syntaxLine(src, line, msg), Msg: msg}}}
}

// decodeErrors turns the errors of a strict decode into FieldErrors: the
// line yaml reports, the field written there, and for an unknown key the
// nearest known one.
func decodeErrors(err error, root *yaml.Node) *Errors {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := &Errors{}
	for _, m := range msgs {
		line, msg := splitLine(m)
		if line == 0 {
			out.add(FieldError{Line: 1, Msg: msg})
			continue
		}
		key := ""
		f := unknownFieldRE.FindStringSubmatch(msg)
		if f != nil {
			key = f[1]
		}
		p := pathAtLine(root, line, key)
		if f != nil {
			msg = unknownField(key, keysAt(reflect.TypeOf(Config{}), p[:max(len(p)-1, 0)]))
		}
		out.add(FieldError{Line: line, Field: p.String(), Msg: msg})
	}
	return out.sorted()
}

// splitLine splits "yaml: line N: msg" (or "line N: msg") into N and msg;
// N is 0 when the message carries no line.
func splitLine(s string) (int, string) {
	s = strings.TrimPrefix(s, "yaml: ")
	m := yamlLineRE.FindStringSubmatch(s)
	if m == nil {
		return 0, s
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2]
}

const maxSyntaxScan = 1000

// syntaxLine finds the line a syntax error is really on. yaml names the
// line where the enclosing block or flow started ("global:" on line 1 for
// a stray "- x" on line 3), so the file is cut after each line from there
// on: the first prefix that fails with the same message ends on the
// offending line. Only a broken file pays for the re-parsing, and at most
// maxSyntaxScan lines of it.
func syntaxLine(src []byte, reported int, msg string) int {
	lines := bytes.SplitAfter(src, []byte("\n"))
	for n := max(reported, 1); n <= len(lines) && n < reported+maxSyntaxScan; n++ {
		var node yaml.Node
		err := yaml.Unmarshal(bytes.Join(lines[:n], nil), &node)
		if err == nil {
			continue
		}
		if _, m := splitLine(err.Error()); m == msg {
			return n
		}
	}
	return reported
}

// unknownField words an unknown key, suggesting the nearest known key.
func unknownField(key string, known []string) string {
	if s := nearest(key, known); s != "" {
		return fmt.Sprintf("unknown field %q, did you mean %q?", key, s)
	}
	if len(known) > 0 && len(known) <= 12 {
		return fmt.Sprintf("unknown field %q (known: %s)", key, strings.Join(known, ", "))
	}
	return fmt.Sprintf("unknown field %q", key)
}

// nearest returns the known key closest to key if it is close enough to
// be a typo, or starts with key ("endpoint" for "endpoints").
func nearest(key string, known []string) string {
	best, bestD := "", -1
	for _, k := range known {
		if d := EditDistance(key, k); bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && (bestD <= max(2, len(key)/4) || len(key) >= 3 && strings.HasPrefix(best, key)) {
		return best
	}
	return ""
}

// EditDistance is the Levenshtein distance of a and b, in bytes; the
// "did you mean" of config errors and of tools/mixincheck.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keysAt returns the YAML keys of the struct found by following p from t
// (map keys and list indexes step into the element type).
func keysAt(t reflect.Type, p Path) []string {
	for _, e := range p {
		t = deref(t)
		switch t.Kind() {
		case reflect.Struct:
			f, ok := fieldByKey(t, fmt.Sprint(e))
			if !ok {
				return nil
			}
			t = f
		case reflect.Slice, reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	t = deref(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	structKeys(t, func(k string, _ reflect.Type) bool { out = append(out, k); return false })
	sort.Strings(out)
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func fieldByKey(t reflect.Type, key string) (reflect.Type, bool) {
	var found reflect.Type
	structKeys(t, func(k string, ft reflect.Type) bool {
		if k == key {
			found = ft
			return true
		}
		return false
	})
	return found, found != nil
}

// structKeys calls f for every YAML key of struct t, descending into
// inline fields, until f returns true.
func structKeys(t reflect.Type, f func(string, reflect.Type) bool) bool {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			if structKeys(deref(sf.Type), f) {
				return true
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		if f(name, sf.Type) {
			return true
		}
	}
	return false
}

// pathAtLine finds the path of the last mapping key written on line (the
// one named key, when key is not "").
func pathAtLine(n *yaml.Node, line int, key string) Path {
	var best Path
	var walk func(n *yaml.Node, p Path)
	walk = func(n *yaml.Node, p Path) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, p)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				q := p.Add(k.Value)
				if k.Line == line && (key == "" || k.Value == key) {
					best = q
				}
				walk(n.Content[i+1], q)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, p.Add(i))
			}
		}
	}
	walk(n, nil)
	return best
}
