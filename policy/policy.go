// Package policy decides whether a user may perform a classified statement.
//
// A statement is classified (by package translate, from its parse tree and plan)
// into the operation classes it needs on each table; Decide checks every need
// against the access codes of faz.yaml's permissions section before any DynamoDB
// call is made. The decision is a pure function of the rules and the needs.
package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// Class is an operation class (spec/rbac.md).
type Class int

const (
	Read Class = iota
	Insert
	Write
	Delete
	Admin
)

func (c Class) String() string {
	switch c {
	case Read:
		return "read"
	case Insert:
		return "insert"
	case Write:
		return "write"
	case Delete:
		return "delete"
	case Admin:
		return "admin"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Access is the set of classes an access code grants.
type Access struct {
	Code    string
	allowed [Admin + 1]bool
}

// accessTable is spec/rbac.md's table: code → classes granted.
func accessTable(code string) ([]Class, bool) {
	switch code {
	case "R":
		return []Class{Read}, true
	case "W":
		return []Class{Insert, Write, Delete}, true
	case "RW":
		return []Class{Read, Insert, Write, Delete}, true
	case "RA":
		return []Class{Read, Insert}, true
	case "RWA":
		return []Class{Read, Insert, Write}, true
	case "A":
		return []Class{Read, Insert, Write, Delete, Admin}, true
	case "none":
		return nil, true
	}
	return nil, false
}

// ParseAccess parses an access code: R, W, RW, RA, RWA, A or none.
func ParseAccess(code string) (Access, error) {
	classes, ok := accessTable(code)
	if !ok {
		return Access{}, pgerr.New(pgerr.ConfigFileError, "invalid access code %q", code).
			WithHint("use one of R, W, RW, RA, RWA, A, none")
	}
	a := Access{Code: code}
	for _, c := range classes {
		a.allowed[c] = true
	}
	return a, nil
}

// Allows reports whether the access grants class c.
func (a Access) Allows(c Class) bool { return a.allowed[c] }

// Any reports whether the access grants anything at all (tables under "none"
// are invisible).
func (a Access) Any() bool {
	for _, ok := range a.allowed {
		if ok {
			return true
		}
	}
	return false
}

// Entry is one faz.yaml permissions entry.
type Entry struct {
	Database string
	Access   string
	Users    []string          // empty: every user
	Tables   map[string]string // per-table access overrides
}

type grant struct {
	access Access
	tables map[string]Access
}

// Rules are the compiled permission entries. Rules are immutable once built, so
// a SIGHUP reload swaps in a new *Rules without locking readers.
type Rules struct {
	// byDB maps database → user ("" = every user) → grant.
	byDB map[string]map[string]grant
}

// Compile validates and compiles permission entries. For a given user and
// database, an entry that names the user takes precedence over one that names
// no users; two entries of the same precedence for the same pair are an error,
// because silently picking one would hide a mistake in a security file.
func Compile(entries []Entry) (*Rules, error) {
	r := &Rules{byDB: map[string]map[string]grant{}}
	for i, e := range entries {
		g, err := compileGrant(e)
		if err != nil {
			return nil, fmt.Errorf("permissions[%d] (database %q): %w", i, e.Database, err)
		}
		users := e.Users
		if len(users) == 0 {
			users = []string{""}
		}
		if r.byDB[e.Database] == nil {
			r.byDB[e.Database] = map[string]grant{}
		}
		for _, u := range users {
			if _, dup := r.byDB[e.Database][u]; dup {
				who := u
				if who == "" {
					who = "every user"
				}
				return nil, pgerr.New(pgerr.ConfigFileError,
					"permissions[%d]: database %q already has an entry for %s", i, e.Database, who)
			}
			r.byDB[e.Database][u] = g
		}
	}
	return r, nil
}

func compileGrant(e Entry) (grant, error) {
	a, err := ParseAccess(e.Access)
	if err != nil {
		return grant{}, err
	}
	g := grant{access: a, tables: map[string]Access{}}
	for t, code := range e.Tables {
		ta, err := ParseAccess(code)
		if err != nil {
			return grant{}, fmt.Errorf("table %q: %w", t, err)
		}
		g.tables[t] = ta
	}
	return g, nil
}

func (r *Rules) grantFor(user, database string) (grant, bool) {
	users, ok := r.byDB[database]
	if !ok {
		return grant{}, false
	}
	if g, ok := users[user]; ok {
		return g, true
	}
	g, ok := users[""]
	return g, ok
}

// CanConnect reports whether user has any permission entry for database
// (spec/config.md: without one the connection is refused with 28000).
func (r *Rules) CanConnect(user, database string) bool {
	_, ok := r.grantFor(user, database)
	return ok
}

// AccessFor returns the access user holds on table in database.
func (r *Rules) AccessFor(user, database, table string) Access {
	g, ok := r.grantFor(user, database)
	if !ok {
		return Access{Code: "none"}
	}
	if ta, ok := g.tables[table]; ok {
		return ta
	}
	return g.access
}

// Visible reports whether a table shows in catalogs for user: only tables the
// user may use at all ("none" hides a table).
func (r *Rules) Visible(user, database, table string) bool {
	return r.AccessFor(user, database, table).Any()
}

// Need is one class a statement needs on one table.
type Need struct {
	Table string
	Class Class
}

// Decide checks every need; the first refusal (in a stable order) is returned as
// 42501 naming the user, table, class needed and access held.
func Decide(r *Rules, user, database string, needs []Need) error {
	sorted := append([]Need(nil), needs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Table != sorted[j].Table {
			return sorted[i].Table < sorted[j].Table
		}
		return sorted[i].Class < sorted[j].Class
	})
	for _, n := range sorted {
		a := r.AccessFor(user, database, n.Table)
		if a.Allows(n.Class) {
			continue
		}
		return pgerr.New(pgerr.InsufficientPrivilege,
			"permission denied: user %q needs %s on table %q but holds access %s",
			user, n.Class, n.Table, a.Code).
			WithHint("access codes are set in the permissions section of faz.yaml (%s)", grantsOf(a))
	}
	return nil
}

func grantsOf(a Access) string {
	var cs []string
	for c := Read; c <= Admin; c++ {
		if a.Allows(c) {
			cs = append(cs, c.String())
		}
	}
	if len(cs) == 0 {
		return a.Code + " grants nothing"
	}
	return a.Code + " grants " + strings.Join(cs, ", ")
}
