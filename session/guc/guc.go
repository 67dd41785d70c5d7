// Package guc holds a session's run-time parameters (PostgreSQL's "grand
// unified configuration"): their defaults, SET/SHOW/RESET semantics,
// transaction-local values, and which ones are reported in ParameterStatus.
//
// Values are stored in the canonical form SHOW prints ("30s", "on",
// "ISO, MDY"), so Get is what SHOW and current_setting() return. Names are
// case-insensitive; each built-in parameter keeps PostgreSQL's spelling
// (DateStyle, TimeZone) for SHOW's column name and SHOW ALL.
//
// Transaction semantics follow PostgreSQL: a SET inside a block that rolls back
// is reverted; SET LOCAL lasts until the end of the block; a later plain SET in
// the same block overrides an earlier SET LOCAL.
package guc

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
)

// SQLSTATEs PostgreSQL uses here that package pgerr does not name.
const (
	cantChangeRuntimeParam = "55P02"
	invalidName            = "42602"
)

// Defaults are the server-wide starting values (from faz.yaml limits and the
// server's identity), applied before the client's startup parameters.
type Defaults struct {
	ServerVersion    string        // e.g. "15.8" (empty: DefaultServerVersion)
	StatementTimeout time.Duration // limits.statement_timeout
	TimeZone         string        // default "UTC"
	// SSL is the ssl parameter: whether the server accepts TLS connections
	// (faz.yaml's tls section), as PostgreSQL's ssl says of its server.
	SSL bool
	// MaxConnections is max_connections (limits.max_connections): 0 shows
	// PostgreSQL's default 100, a negative value unlimited (262143).
	MaxConnections int
}

// DefaultServerVersion is the PostgreSQL version fazproxy presents itself as.
const DefaultServerVersion = "15.8"

// Row is one line of SHOW ALL.
type Row struct{ Name, Setting, Description string }

// Report is one ParameterStatus owed to the client.
type Report struct{ Name, Value string }

// Settings is one session's parameters. Not safe for concurrent use.
type Settings struct {
	user    string
	defs    map[string]*def   // lower-case name → built-in definition
	order   []string          // lower-case names of reportable parameters, in report order
	session map[string]string // lower-case name → session value (built-in and custom)
	reset   map[string]string // lower-case name → value RESET returns to (defaults + startup)
	local   map[string]string // SET LOCAL values of the current transaction block
	saved   map[string]string // session values at BeginTx; nil outside a block
	inTx    bool
	// savepoints of the current block, oldest first.
	savepoints []savepoint
	// reported holds the value last sent in ParameterStatus, so a change is
	// reported once, and a SET to the same value not at all (as PostgreSQL).
	reported map[string]string
}

// New builds a session's settings from startup parameters (application_name,
// DateStyle, TimeZone, search_path, options "-c name=value" ...) over defaults.
// The startup parameters "user", "database" and "replication" are connection
// properties, not settings; "user" becomes session_authorization.
func New(startup map[string]string, d Defaults) (*Settings, error) {
	user := startup["user"]
	s := &Settings{
		user:     user,
		defs:     map[string]*def{},
		session:  map[string]string{},
		local:    map[string]string{},
		reported: map[string]string{},
	}
	for _, pd := range builtins(d, user) {
		ln := strings.ToLower(pd.name)
		s.defs[ln] = pd
		s.session[ln] = pd.boot
		if pd.report {
			s.order = append(s.order, ln)
		}
	}
	if err := s.applyStartup(startup); err != nil {
		return nil, err
	}
	s.reset = maps.Clone(s.session)
	for _, ln := range s.order {
		s.reported[ln] = s.session[ln]
	}
	return s, nil
}

// applyStartup applies options' switches first, then the other parameters in
// name order (PostgreSQL also processes options before the packet's
// parameters; the name order makes the outcome independent of map order).
func (s *Settings) applyStartup(startup map[string]string) error {
	if opts, ok := startup["options"]; ok {
		pairs, err := ParseOptions(opts)
		if err != nil {
			return err
		}
		for _, p := range pairs {
			if err := s.Set(p[0], p[1], false); err != nil {
				return err
			}
		}
	}
	names := make([]string, 0, len(startup))
	for n := range startup {
		switch n {
		case "user", "database", "replication", "options":
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := s.Set(n, startup[n], false); err != nil {
			return err
		}
	}
	return nil
}

// Name returns the canonical spelling of a parameter (as SHOW titles its
// column), or false when the parameter does not exist.
func (s *Settings) Name(name string) (string, bool) {
	ln := strings.ToLower(name)
	if d, ok := s.defs[ln]; ok {
		return d.name, true
	}
	_, ok := s.session[ln]
	return ln, ok
}

// Get returns a parameter's current value as SHOW prints it.
func (s *Settings) Get(name string) (string, bool) {
	ln := strings.ToLower(name)
	if v, ok := s.local[ln]; ok {
		return v, true
	}
	if d, ok := s.defs[ln]; ok && d.startsFrom != "" {
		// transaction_isolation and friends start each transaction at the
		// value of their default_* parameter.
		return s.Get(d.startsFrom)
	}
	v, ok := s.session[ln]
	return v, ok
}

// Set changes a parameter (SET, SET LOCAL, set_config, a startup parameter).
// value is the raw text; it is validated and stored in canonical form. SET
// LOCAL outside a transaction block is validated but has no effect.
func (s *Settings) Set(name, value string, isLocal bool) error {
	ln := strings.ToLower(name)
	d, ok := s.defs[ln]
	if !ok {
		if err := checkCustomName(ln); err != nil {
			return err
		}
		return s.store(ln, value, isLocal)
	}
	if d.readOnly {
		return cantChange(d)
	}
	v := value
	if d.check != nil {
		cur, _ := s.Get(ln)
		var err error
		if v, err = d.check(value, cur); err != nil {
			return err
		}
	}
	// A transaction-scoped parameter only ever holds a value for the current
	// transaction.
	return s.store(ln, v, isLocal || d.startsFrom != "")
}

func (s *Settings) store(ln, v string, isLocal bool) error {
	if isLocal {
		if s.inTx {
			s.local[ln] = v
		}
		return nil
	}
	s.session[ln] = v
	delete(s.local, ln)
	return nil
}

// checkCustomName accepts names PostgreSQL takes as custom (extension)
// parameters: two or more identifiers separated by dots. The faz. prefix is
// reserved for fazproxy's own parameters, so a typo there is an error.
func checkCustomName(ln string) error {
	if !strings.Contains(ln, ".") {
		return unrecognized(ln)
	}
	for _, part := range strings.Split(ln, ".") {
		if !isIdentifier(part) {
			return pgerr.New(invalidName, "invalid configuration parameter name %q", ln).
				WithDetail("Custom parameter names must be two or more simple identifiers separated by dots.")
		}
	}
	if strings.HasPrefix(ln, "faz.") {
		return pgerr.New(pgerr.UndefinedObject, "invalid configuration parameter name %q", ln).
			WithDetail(`"faz" is a reserved prefix.`)
	}
	return nil
}

func isIdentifier(p string) bool {
	if p == "" {
		return false
	}
	for i, r := range p {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= 0x80:
		case i > 0 && (r >= '0' && r <= '9' || r == '$'):
		default:
			return false
		}
	}
	return true
}

// cantChange is PostgreSQL's refusal to SET a read-only parameter, worded
// by what would change it there.
func cantChange(d *def) error {
	switch d.context {
	case "postmaster":
		return pgerr.New(cantChangeRuntimeParam, "parameter %q cannot be changed without restarting the server", d.name)
	case "sighup":
		return pgerr.New(cantChangeRuntimeParam, "parameter %q cannot be changed now", d.name)
	}
	return pgerr.New(cantChangeRuntimeParam, "parameter %q cannot be changed", d.name)
}

func unrecognized(name string) error {
	return pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
}

// Reset returns a parameter to its value after startup (RESET name, SET name
// TO DEFAULT).
func (s *Settings) Reset(name string) error {
	ln := strings.ToLower(name)
	d, ok := s.defs[ln]
	if !ok {
		if _, known := s.session[ln]; !known {
			if err := checkCustomName(ln); err != nil {
				return err
			}
		}
		// A custom parameter has no default: PostgreSQL resets it to its
		// startup value, or empty.
		return s.store(ln, s.reset[ln], false)
	}
	if d.readOnly {
		return cantChange(d)
	}
	if d.startsFrom != "" {
		v, _ := s.Get(d.startsFrom)
		return s.store(ln, v, true)
	}
	return s.store(ln, s.reset[ln], false)
}

// ResetAll is RESET ALL (and DISCARD ALL): every settable parameter returns to
// its value after startup. Like PostgreSQL it leaves transaction-scoped
// parameters and session_authorization alone.
func (s *Settings) ResetAll() {
	for ln := range s.session {
		d, builtin := s.defs[ln]
		switch {
		case !builtin:
			s.session[ln] = s.reset[ln] // the startup value, or empty
		case d.readOnly || d.startsFrom != "" || d.noResetAll:
			continue
		default:
			s.session[ln] = s.reset[ln]
		}
		delete(s.local, ln)
	}
}

// ShowAll lists every built-in parameter with its value, sorted by name as
// PostgreSQL's SHOW ALL is. Custom parameters are not listed (as in PostgreSQL,
// where they are placeholders).
func (s *Settings) ShowAll() []Row {
	out := make([]Row, 0, len(s.defs))
	for ln, d := range s.defs {
		v, _ := s.Get(ln)
		out = append(out, Row{Name: d.name, Setting: v, Description: d.desc})
	}
	slices.SortFunc(out, func(a, b Row) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// ReportableNames are the parameters sent in ParameterStatus, in the order
// they are sent at startup.
func (s *Settings) ReportableNames() []string {
	out := make([]string, len(s.order))
	for i, ln := range s.order {
		out[i] = s.defs[ln].name
	}
	return out
}

// PendingReports returns the reportable parameters whose value changed since
// they were last reported (at startup or by a previous call), and marks them
// reported. The session calls it after each statement and at the end of a
// transaction block, where a rollback may have reverted a value.
func (s *Settings) PendingReports() []Report {
	var out []Report
	for _, ln := range s.order {
		v, _ := s.Get(ln)
		if s.reported[ln] != v {
			s.reported[ln] = v
			out = append(out, Report{Name: s.defs[ln].name, Value: v})
		}
	}
	return out
}

// savepoint is the state SAVEPOINT records for ROLLBACK TO.
type savepoint struct {
	name           string
	session, local map[string]string
}

// Savepoint records the current values under name (SAVEPOINT name). Names
// may repeat; the latest one is used, as in PostgreSQL.
func (s *Settings) Savepoint(name string) {
	s.savepoints = append(s.savepoints, savepoint{name: name, session: maps.Clone(s.session), local: maps.Clone(s.local)})
}

// RollbackTo restores the values recorded by the latest savepoint named name
// and drops the savepoints made after it; the savepoint itself remains
// (ROLLBACK TO SAVEPOINT). It reports false when there is no such savepoint.
func (s *Settings) RollbackTo(name string) bool {
	i := s.findSavepoint(name)
	if i < 0 {
		return false
	}
	sp := s.savepoints[i]
	s.session, s.local = maps.Clone(sp.session), maps.Clone(sp.local)
	s.savepoints = s.savepoints[:i+1]
	return true
}

// Release drops the latest savepoint named name and those made after it,
// keeping the current values (RELEASE SAVEPOINT). It reports false when
// there is no such savepoint.
func (s *Settings) Release(name string) bool {
	i := s.findSavepoint(name)
	if i < 0 {
		return false
	}
	s.savepoints = s.savepoints[:i]
	return true
}

func (s *Settings) findSavepoint(name string) int {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i
		}
	}
	return -1
}

// BeginTx marks the start of a transaction block: session values are saved so
// a rollback can restore them.
func (s *Settings) BeginTx() {
	s.inTx = true
	s.saved = maps.Clone(s.session)
	s.savepoints = nil
	clear(s.local)
}

// EndTx ends a transaction block. SET LOCAL values end in any case; on
// rollback, session values set inside the block are reverted.
func (s *Settings) EndTx(commit bool) {
	if !commit && s.saved != nil {
		s.session = s.saved
	}
	s.saved = nil
	s.savepoints = nil
	s.inTx = false
	clear(s.local)
}

// Bool reports whether a boolean parameter is on (false when unknown).
func (s *Settings) Bool(name string) bool {
	v, _ := s.Get(name)
	return v == "on"
}

// Duration returns a time parameter's value (false when unknown or not a time).
func (s *Settings) Duration(name string) (time.Duration, bool) {
	v, ok := s.Get(name)
	if !ok {
		return 0, false
	}
	ms, err := parseDurationMS(name, v)
	if err != nil {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// StatementTimeout is statement_timeout (0 = none).
func (s *Settings) StatementTimeout() time.Duration {
	d, _ := s.Duration("statement_timeout")
	return d
}

// ListInput reports whether a parameter takes a list, so SET may give it
// several comma-separated values (PostgreSQL's GUC_LIST_INPUT).
func ListInput(name string) bool {
	return strings.EqualFold(name, "search_path") || strings.EqualFold(name, "DateStyle")
}

// QuotesList reports whether SET renders a parameter's list items as quoted
// identifiers (PostgreSQL's GUC_LIST_QUOTE): SET search_path = a, "B" stores
// a, "B", while a string literal item is one identifier.
func QuotesList(name string) bool {
	return strings.EqualFold(name, "search_path")
}
