// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"encoding/json"
	"reflect"
)

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func equalJSON(a, b any) bool {
	if reflect.ValueOf(a).Kind() == reflect.Slice && reflect.ValueOf(a).Len() == 0 &&
		reflect.ValueOf(b).Kind() == reflect.Slice && reflect.ValueOf(b).Len() == 0 {
		return true
	}
	return toJSON(a) == toJSON(b)
}
