package policy

import (
	"errors"
	"testing"

	"github.com/fazproxy/fazproxy/pgerr"
)

func TestAccessTableMatchesSpec(t *testing.T) {
	// Rows of spec/rbac.md: read, insert, write, delete, admin.
	cases := map[string][5]bool{
		"R":    {true, false, false, false, false},
		"W":    {false, true, true, true, false},
		"RW":   {true, true, true, true, false},
		"RA":   {true, true, false, false, false},
		"RWA":  {true, true, true, false, false},
		"A":    {true, true, true, true, true},
		"none": {false, false, false, false, false},
	}
	for code, want := range cases {
		a, err := ParseAccess(code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		for c := Read; c <= Admin; c++ {
			if a.Allows(c) != want[c] {
				t.Errorf("%s allows %s = %v, want %v", code, c, a.Allows(c), want[c])
			}
		}
	}
	if _, err := ParseAccess("rw"); err == nil {
		t.Error("lower-case code accepted")
	}
}

func TestDecide(t *testing.T) {
	r, err := Compile([]Entry{
		{Database: "shop", Access: "R", Tables: map[string]string{"audit_log": "RA", "secrets": "none"}},
		{Database: "shop", Access: "RW", Users: []string{"etl"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user, table string
		class       Class
		ok          bool
	}{
		{"analyst", "orders", Read, true},
		{"analyst", "orders", Write, false},
		{"analyst", "audit_log", Insert, true},
		{"analyst", "audit_log", Write, false},
		{"analyst", "secrets", Read, false},
		{"etl", "orders", Delete, true},
		{"etl", "orders", Admin, false},
	}
	for _, c := range cases {
		err := Decide(r, c.user, "shop", []Need{{Table: c.table, Class: c.class}})
		if (err == nil) != c.ok {
			t.Errorf("%s %s %s: err=%v, want ok=%v", c.user, c.class, c.table, err, c.ok)
		}
		var pe *pgerr.Error
		if err != nil && (!errors.As(err, &pe) || pe.Code != pgerr.InsufficientPrivilege) {
			t.Errorf("refusal code = %v, want 42501", err)
		}
	}
	if r.Visible("analyst", "shop", "secrets") || !r.Visible("analyst", "shop", "orders") {
		t.Error("visibility does not follow access")
	}
	if r.CanConnect("analyst", "other") || !r.CanConnect("anyone", "shop") {
		t.Error("CanConnect wrong")
	}
}

func TestCompileRejectsDuplicatesAndBadCodes(t *testing.T) {
	if _, err := Compile([]Entry{{Database: "d", Access: "R"}, {Database: "d", Access: "RW"}}); err == nil {
		t.Error("two entries for every user accepted")
	}
	if _, err := Compile([]Entry{{Database: "d", Access: "X"}}); err == nil {
		t.Error("bad code accepted")
	}
	if _, err := Compile([]Entry{{Database: "d", Access: "R", Tables: map[string]string{"t": "Q"}}}); err == nil {
		t.Error("bad table code accepted")
	}
}
