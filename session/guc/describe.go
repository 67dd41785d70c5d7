package guc

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Info is one parameter as pg_settings shows it.
type Info struct {
	Name      string
	Setting   string // in the base unit, without it ("0", "30000")
	Unit      string // "ms" for times, else ""
	Category  string
	ShortDesc string
	VarType   string // bool, enum, integer, real, string
	Context   string // internal (read-only) or user
	Source    string // default, client, session
	MinVal    string
	MaxVal    string
	EnumVals  []string
	BootVal   string
	ResetVal  string
}

// meta is what pg_settings says about a parameter beyond its value: its
// category, type and range, as PostgreSQL 15 declares them.
type meta struct {
	category string
	vartype  string
	unit     string // "ms", "8kB" (pages) or "B"; pg_settings shows values in it
	min, max string
	enum     []string
	// fixed marks a compile-time constant, whose min_val and max_val are
	// its own value.
	fixed bool
}

func paramMeta(ln string) meta {
	const (
		preset  = "Preset Options"
		locale  = "Client Connection Defaults / Locale and Formatting"
		stmt    = "Client Connection Defaults / Statement Behavior"
		other   = "Client Connection Defaults / Other Defaults"
		report  = "Reporting and Logging / What to Log"
		compat  = "Version and Platform Compatibility / Previous PostgreSQL Versions"
		conn    = "Connections and Authentication / Connection Settings"
		faz     = "Customized Options"
		maxTime = "2147483647"
	)
	switch ln {
	case "server_version", "server_encoding", "lc_collate", "lc_ctype":
		return meta{category: preset, vartype: "string"}
	case "server_version_num", "max_identifier_length", "max_index_keys", "max_function_args",
		"block_size", "wal_block_size":
		return meta{category: preset, vartype: "integer", fixed: true}
	case "segment_size":
		return meta{category: preset, vartype: "integer", unit: "8kB", fixed: true}
	case "wal_segment_size":
		return meta{category: preset, vartype: "integer", unit: "B", min: "1048576", max: "1073741824"}
	case "integer_datetimes", "in_hot_standby", "data_checksums", "debug_assertions":
		return meta{category: preset, vartype: "bool"}
	case "ssl":
		return meta{category: "Connections and Authentication / SSL", vartype: "bool"}
	case "max_connections":
		return meta{category: conn, vartype: "integer", min: "1", max: "262143"}
	case "shared_buffers":
		return meta{category: "Resource Usage / Memory", vartype: "integer", unit: "8kB", min: "16", max: "1073741823"}
	case "is_superuser", "session_authorization", "role":
		return meta{category: "Ungrouped", vartype: "string"}
	case "application_name":
		return meta{category: report, vartype: "string"}
	case "client_encoding", "datestyle", "timezone", "timezone_abbreviations", "default_text_search_config":
		return meta{category: locale, vartype: "string"}
	case "intervalstyle":
		return meta{category: locale, vartype: "enum", enum: []string{"postgres", "postgres_verbose", "sql_standard", "iso_8601"}}
	case "extra_float_digits":
		return meta{category: locale, vartype: "integer", min: "-15", max: "3"}
	case "standard_conforming_strings":
		return meta{category: compat, vartype: "bool"}
	case "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout":
		return meta{category: stmt, vartype: "integer", unit: "ms", min: "0", max: maxTime}
	case "client_min_messages":
		return meta{category: stmt, vartype: "enum",
			enum: []string{"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"}}
	case "bytea_output":
		return meta{category: stmt, vartype: "enum", enum: []string{"escape", "hex"}}
	case "default_transaction_isolation", "transaction_isolation":
		return meta{category: stmt, vartype: "enum",
			enum: []string{"serializable", "repeatable read", "read committed", "read uncommitted"}}
	case "search_path":
		return meta{category: stmt, vartype: "string"}
	case "row_security", "default_transaction_read_only", "transaction_read_only",
		"default_transaction_deferrable", "transaction_deferrable":
		return meta{category: stmt, vartype: "bool"}
	case "faz.consistent_read", "faz.show_capacity":
		return meta{category: faz, vartype: "bool"}
	case "faz.language":
		return meta{category: faz, vartype: "enum", enum: []string{"sql", "partiql", "dynamo"}}
	}
	if strings.Contains(ln, ".") {
		return meta{category: faz, vartype: "string"}
	}
	return meta{category: conn, vartype: "string"}
}

// Describe lists every built-in parameter as pg_settings shows it, sorted by
// name as PostgreSQL's view is.
func (s *Settings) Describe() []Info {
	out := make([]Info, 0, len(s.defs))
	for ln, d := range s.defs {
		m := paramMeta(ln)
		v, _ := s.Get(ln)
		info := Info{Name: d.name, Setting: v, Unit: m.unit, Category: m.category, ShortDesc: d.desc,
			VarType: m.vartype, Context: "user", Source: "default", MinVal: m.min, MaxVal: m.max,
			EnumVals: m.enum, BootVal: d.boot, ResetVal: s.reset[ln]}
		if d.readOnly {
			info.Context = cmp.Or(d.context, "internal")
		}
		switch {
		case v != s.reset[ln]:
			info.Source = "session"
		case s.reset[ln] != d.boot:
			info.Source = "client"
		}
		switch m.unit {
		case "ms":
			// pg_settings shows times as numbers of their base unit.
			info.Setting, info.BootVal, info.ResetVal = baseMS(ln, v), baseMS(ln, d.boot), baseMS(ln, s.reset[ln])
		case "8kB", "B":
			// ... and sizes as numbers of theirs (pages, bytes).
			info.Setting, info.BootVal, info.ResetVal = inUnit(v, m.unit), inUnit(d.boot, m.unit), inUnit(s.reset[ln], m.unit)
		}
		if m.fixed {
			info.MinVal, info.MaxVal = info.Setting, info.Setting
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// baseMS is a canonical time value in milliseconds, unchanged if unparsable.
func baseMS(name, v string) string {
	ms, err := parseDurationMS(name, v)
	if err != nil {
		return v
	}
	return strconv.FormatInt(ms, 10)
}

// memoryUnits are the units SHOW prints sizes in, in bytes.
var memoryUnits = []struct {
	suffix string
	bytes  int64
}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}, {"B", 1}}

// inUnit converts a size as SHOW prints it ("1GB", "128MB") into a number of
// unit ("8kB" pages or "B" bytes), unchanged if it is not such a size.
func inUnit(v, unit string) string {
	per := int64(1)
	if unit == "8kB" {
		per = 8 << 10
	}
	for _, u := range memoryUnits {
		num, ok := strings.CutSuffix(v, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return v
		}
		return strconv.FormatInt(n*u.bytes/per, 10)
	}
	return v
}
