package guc

import (
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// ParseOptions reads the "options" startup parameter (libpq's PGOPTIONS):
// switches separated by whitespace, a backslash escaping the next character,
// each either "-c name=value", "-cname=value" or "--name=value". Dashes in a
// name become underscores, as in PostgreSQL. It returns name/value pairs in
// order. Other server switches are refused: they configure a PostgreSQL
// server process, which fazproxy is not.
func ParseOptions(opts string) ([][2]string, error) {
	args := splitOptions(opts)
	var out [][2]string
	for i := 0; i < len(args); i++ {
		a := args[i]
		var nv string
		switch {
		case a == "-c":
			if i+1 >= len(args) {
				return nil, badOption(a)
			}
			i++
			nv = args[i]
		case strings.HasPrefix(a, "-c"):
			nv = a[2:]
		case strings.HasPrefix(a, "--") && len(a) > 2:
			nv = a[2:]
		default:
			return nil, badOption(a)
		}
		name, value, ok := strings.Cut(nv, "=")
		if !ok || name == "" {
			return nil, pgerr.New(pgerr.SyntaxError, "-c %s requires a value", nv).Fatal()
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}

func badOption(a string) error {
	return pgerr.New(pgerr.SyntaxError, "invalid command-line argument for server process: %s", a).
		WithHint(`fazproxy accepts only "-c name=value" and "--name=value" in options`).Fatal()
}

// splitOptions is PostgreSQL's pg_split_opts.
func splitOptions(s string) []string {
	var (
		out []string
		cur strings.Builder
		in  bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
