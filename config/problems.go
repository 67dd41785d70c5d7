package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration: where (file line and
// column, or the FAZ_ variable that set the value) and what. Msg never holds
// a secret.
type Problem struct {
	File         string
	Line, Column int    // 0 when unknown
	Path         string // e.g. "databases[0].extra.region"
	Env          string // the FAZ_ variable the value came from, if any
	Msg          string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	if p.Env != "" {
		fmt.Fprintf(&b, " (set by environment variable %s)", p.Env)
	}
	return b.String()
}

// Problems are every problem found in one configuration; it is the cause of
// the F0000 error Parse returns (reach it with errors.As).
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
