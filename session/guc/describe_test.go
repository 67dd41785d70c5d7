package guc

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fazproxy/fazproxy/pgerr"
)

func TestDescribe(t *testing.T) {
	s, err := New(map[string]string{"user": "alice", "application_name": "psql"}, Defaults{StatementTimeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("lock_timeout", "1min", false); err != nil {
		t.Fatal(err)
	}
	got := map[string]Info{}
	for _, in := range s.Describe() {
		got[in.Name] = in
	}
	for name, want := range map[string]Info{
		"lock_timeout": {Setting: "60000", Unit: "ms", VarType: "integer", Context: "user", Source: "session",
			BootVal: "0", ResetVal: "0", MinVal: "0", MaxVal: "2147483647"},
		"application_name": {Setting: "psql", VarType: "string", Context: "user", Source: "client", ResetVal: "psql"},
		"server_version":   {Setting: "15.8", VarType: "string", Context: "internal", Source: "default", BootVal: "15.8", ResetVal: "15.8"},
		"DateStyle":        {Setting: "ISO, MDY", VarType: "string", Context: "user", Source: "default", BootVal: "ISO, MDY", ResetVal: "ISO, MDY"},
	} {
		in, ok := got[name]
		if !ok {
			t.Errorf("Describe lacks %s", name)
			continue
		}
		if in.Setting != want.Setting || in.Unit != want.Unit || in.VarType != want.VarType || in.Context != want.Context ||
			in.Source != want.Source || in.BootVal != want.BootVal || in.ResetVal != want.ResetVal ||
			in.MinVal != want.MinVal || in.MaxVal != want.MaxVal || in.Category == "" || in.ShortDesc == "" {
			t.Errorf("%s = %+v, want %+v", name, in, want)
		}
	}
	if e := got["client_min_messages"].EnumVals; !slices.Contains(e, "notice") || got["client_min_messages"].VarType != "enum" {
		t.Errorf("client_min_messages = %+v", got["client_min_messages"])
	}
	names := make([]string, 0, len(got))
	for _, in := range s.Describe() {
		names = append(names, in.Name)
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("Describe is not sorted by name: %v", names)
	}
}

// TestPresetParameters pins the read-only parameters clients read to
// PostgreSQL 15's SHOW and pg_settings (captured from a fresh cluster; the
// locale is C because fazproxy compares text bytewise).
func TestPresetParameters(t *testing.T) {
	s, err := New(map[string]string{"user": "alice"}, Defaults{SSL: true, MaxConnections: 250})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Info{}
	for _, in := range s.Describe() {
		got[in.Name] = in
	}
	const preset = "Preset Options"
	for _, c := range []struct {
		name, show string
		want       Info
	}{
		{"max_index_keys", "32", Info{Setting: "32", VarType: "integer", Context: "internal", Category: preset, MinVal: "32", MaxVal: "32", BootVal: "32"}},
		{"max_function_args", "100", Info{Setting: "100", VarType: "integer", Context: "internal", Category: preset, MinVal: "100", MaxVal: "100", BootVal: "100"}},
		{"max_identifier_length", "63", Info{Setting: "63", VarType: "integer", Context: "internal", Category: preset, MinVal: "63", MaxVal: "63", BootVal: "63"}},
		{"block_size", "8192", Info{Setting: "8192", VarType: "integer", Context: "internal", Category: preset, MinVal: "8192", MaxVal: "8192", BootVal: "8192"}},
		{"segment_size", "1GB", Info{Setting: "131072", Unit: "8kB", VarType: "integer", Context: "internal", Category: preset, MinVal: "131072", MaxVal: "131072", BootVal: "131072"}},
		{"wal_block_size", "8192", Info{Setting: "8192", VarType: "integer", Context: "internal", Category: preset, MinVal: "8192", MaxVal: "8192", BootVal: "8192"}},
		{"wal_segment_size", "16MB", Info{Setting: "16777216", Unit: "B", VarType: "integer", Context: "internal", Category: preset, MinVal: "1048576", MaxVal: "1073741824", BootVal: "16777216"}},
		{"data_checksums", "off", Info{Setting: "off", VarType: "bool", Context: "internal", Category: preset, BootVal: "off"}},
		{"lc_collate", "C", Info{Setting: "C", VarType: "string", Context: "internal", Category: preset, BootVal: "C"}},
		{"lc_ctype", "C.UTF-8", Info{Setting: "C.UTF-8", VarType: "string", Context: "internal", Category: preset, BootVal: "C.UTF-8"}},
		{"server_encoding", "UTF8", Info{Setting: "UTF8", VarType: "string", Context: "internal", Category: preset, BootVal: "UTF8"}},
		{"integer_datetimes", "on", Info{Setting: "on", VarType: "bool", Context: "internal", Category: preset, BootVal: "on"}},
		{"in_hot_standby", "off", Info{Setting: "off", VarType: "bool", Context: "internal", Category: preset, BootVal: "off"}},
		{"server_version_num", "150008", Info{Setting: "150008", VarType: "integer", Context: "internal", Category: preset, MinVal: "150008", MaxVal: "150008", BootVal: "150008"}},
		{"ssl", "on", Info{Setting: "on", VarType: "bool", Context: "sighup", Category: "Connections and Authentication / SSL", BootVal: "on"}},
		{"max_connections", "250", Info{Setting: "250", VarType: "integer", Context: "postmaster", Category: "Connections and Authentication / Connection Settings", MinVal: "1", MaxVal: "262143", BootVal: "250"}},
		{"shared_buffers", "128MB", Info{Setting: "16384", Unit: "8kB", VarType: "integer", Context: "postmaster", Category: "Resource Usage / Memory", MinVal: "16", MaxVal: "1073741823", BootVal: "16384"}},
	} {
		if v, ok := s.Get(c.name); !ok || v != c.show {
			t.Errorf("SHOW %s = %q %v, want %q", c.name, v, ok, c.show)
		}
		in, ok := got[c.name]
		w := c.want
		if !ok || in.Setting != w.Setting || in.Unit != w.Unit || in.VarType != w.VarType || in.Context != w.Context ||
			in.Category != w.Category || in.MinVal != w.MinVal || in.MaxVal != w.MaxVal || in.BootVal != w.BootVal ||
			in.ResetVal != w.BootVal || in.Source != "default" || in.ShortDesc == "" {
			t.Errorf("pg_settings %s = %+v, want %+v", c.name, in, w)
		}
	}
}

func TestPresetParametersAreReadOnly(t *testing.T) {
	s, err := New(map[string]string{"user": "alice"}, Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string]string{
		"max_index_keys":  `parameter "max_index_keys" cannot be changed`,
		"lc_collate":      `parameter "lc_collate" cannot be changed`,
		"ssl":             `parameter "ssl" cannot be changed now`,
		"shared_buffers":  `parameter "shared_buffers" cannot be changed without restarting the server`,
		"max_connections": `parameter "max_connections" cannot be changed without restarting the server`,
	} {
		err := s.Set(name, "1", false)
		var pe *pgerr.Error
		if !errors.As(err, &pe) || pe.Code != "55P02" || pe.Message != msg {
			t.Errorf("SET %s: %v, want 55P02 %s", name, err, msg)
		}
	}
	for name, want := range map[string]string{"ssl": "off", "max_connections": "100"} {
		if v, _ := s.Get(name); v != want {
			t.Errorf("default %s = %q, want %q", name, v, want)
		}
	}
}
