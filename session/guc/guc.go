// Package guc holds a session's run-time parameters (PostgreSQL's "grand
// unified configuration"): their defaults, SET/SHOW/RESET semantics,
// transaction-local values, and which ones are reported in ParameterStatus.
package guc

import (
	"fmt"
	"time"
)

// Defaults are the server-wide starting values (from faz.yaml limits and the
// server's identity), applied before the client's startup parameters.
type Defaults struct {
	ServerVersion    string        // e.g. "15.8"
	StatementTimeout time.Duration // limits.statement_timeout
	TimeZone         string        // default "UTC"
}

// Row is one line of SHOW ALL.
type Row struct{ Name, Setting, Description string }

// Settings is one session's parameters. Not safe for concurrent use.
type Settings struct{} // CONTRACT STUB: implemented by the session owner

// New builds a session's settings from startup parameters (application_name,
// DateStyle, TimeZone, search_path, options "-c name=value" ...) over defaults.
func New(startup map[string]string, d Defaults) (*Settings, error) {
	return nil, fmt.Errorf("guc: not implemented yet (contract stub)")
}

func (s *Settings) Get(name string) (string, bool)             { return "", false }
func (s *Settings) Set(name, value string, isLocal bool) error { return nil }
func (s *Settings) Reset(name string) error                    { return nil }
func (s *Settings) ResetAll()                                  {}
func (s *Settings) ShowAll() []Row                             { return nil }
func (s *Settings) ReportableNames() []string                  { return nil }
func (s *Settings) BeginTx()                                   {}
func (s *Settings) EndTx(commit bool)                          {}
func (s *Settings) Bool(name string) bool                      { return false }
func (s *Settings) StatementTimeout() time.Duration            { return 0 }
