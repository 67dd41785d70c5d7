package guc

import (
	"slices"
	"strings"
	"testing"
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
