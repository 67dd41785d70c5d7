package guc

import (
	"cmp"
	"strconv"
)

// def is one built-in parameter.
type def struct {
	name     string // PostgreSQL's spelling, e.g. "DateStyle"
	desc     string // SHOW ALL's description (PostgreSQL's short description)
	boot     string // default, in canonical form
	report   bool   // sent in ParameterStatus
	readOnly bool   // SET and RESET fail with 55P02
	// context is pg_settings.context of a read-only parameter that
	// PostgreSQL sets from its configuration ("postmaster", "sighup"); ""
	// means "internal" for read-only parameters and "user" for the others.
	context    string
	noResetAll bool // RESET ALL leaves it alone
	// startsFrom names (lower-case) the parameter whose value each transaction
	// starts with; set, the parameter is transaction-scoped.
	startsFrom string
	check      checkFunc // nil: any text
}

// builtins returns the parameters a session knows, with this server's
// defaults. The list is built per session so nothing is shared or mutable at
// package level. Reportable ones come in the order ParameterStatus is sent.
func builtins(d Defaults, user string) []*def {
	version := cmp.Or(d.ServerVersion, DefaultServerVersion)
	return []*def{
		// Reported in ParameterStatus (spec/clients.md: server identity).
		{name: "server_version", boot: version, report: true, readOnly: true,
			desc: "Shows the server version."},
		{name: "server_encoding", boot: "UTF8", report: true, readOnly: true,
			desc: "Shows the server (database) character set encoding."},
		{name: "client_encoding", boot: "UTF8", report: true, check: clientEncodingCheck,
			desc: "Sets the client's character set encoding."},
		{name: "application_name", boot: "", report: true,
			desc: "Sets the application name to be reported in statistics and logs."},
		{name: "DateStyle", boot: "ISO, MDY", report: true, check: dateStyleCheck,
			desc: "Sets the display format for date and time values."},
		{name: "TimeZone", boot: cmp.Or(d.TimeZone, "UTC"), report: true, check: timeZoneCheck,
			desc: "Sets the time zone for displaying and interpreting time stamps."},
		{name: "integer_datetimes", boot: "on", report: true, readOnly: true,
			desc: "Shows whether datetimes are integer based."},
		{name: "standard_conforming_strings", boot: "on", report: true,
			check: onlyOn("standard_conforming_strings", "fazproxy parses string literals with standard_conforming_strings on"),
			desc:  "Causes '...' strings to treat backslashes literally."},
		{name: "IntervalStyle", boot: "postgres", report: true,
			check: enumCheck("IntervalStyle", []string{"postgres"}, nil, map[string]string{
				"postgres_verbose": "fazproxy prints intervals in the postgres style only",
				"sql_standard":     "fazproxy prints intervals in the postgres style only",
				"iso_8601":         "fazproxy prints intervals in the postgres style only",
			}),
			desc: "Sets the display format for interval values."},
		{name: "is_superuser", boot: "off", report: true, readOnly: true,
			desc: "Shows whether the current user is a superuser."},
		{name: "session_authorization", boot: user, report: true, noResetAll: true,
			check: sessionAuthorizationCheck(user),
			desc:  "Sets the session user name."},

		// Identity and limits that clients read.
		{name: "server_version_num", boot: versionNum(version), readOnly: true,
			desc: "Shows the server version as an integer."},
		{name: "max_identifier_length", boot: "63", readOnly: true,
			desc: "Shows the maximum identifier length."},
		{name: "in_hot_standby", boot: "off", readOnly: true,
			desc: "Shows whether hot standby is currently active."},
		// fazproxy compares and sorts text bytewise (C) but case-converts
		// with Unicode's tables (C.UTF-8); pg_database agrees.
		{name: "lc_collate", boot: "C", readOnly: true,
			desc: "Shows the collation order locale."},
		{name: "lc_ctype", boot: "C.UTF-8", readOnly: true,
			desc: "Shows the character classification and case conversion locale."},
		// PostgreSQL 15's compile-time limits, which drivers read (pgjdbc's
		// getImportedKeys needs max_index_keys).
		{name: "max_index_keys", boot: "32", readOnly: true,
			desc: "Shows the maximum number of index keys."},
		{name: "max_function_args", boot: "100", readOnly: true,
			desc: "Shows the maximum number of function arguments."},
		{name: "block_size", boot: "8192", readOnly: true,
			desc: "Shows the size of a disk block."},
		{name: "segment_size", boot: "1GB", readOnly: true,
			desc: "Shows the number of pages per disk file."},
		{name: "wal_block_size", boot: "8192", readOnly: true,
			desc: "Shows the block size in the write ahead log."},
		{name: "wal_segment_size", boot: "16MB", readOnly: true,
			desc: "Shows the size of write ahead log segments."},
		{name: "data_checksums", boot: "off", readOnly: true,
			desc: "Shows whether data checksums are turned on for this cluster."},
		{name: "debug_assertions", boot: "off", readOnly: true,
			desc: "Shows whether the running server has assertion checks enabled."},
		// Server configuration PostgreSQL reads at start (postmaster) or
		// on reload (sighup): fixed for a session, so read-only here too.
		{name: "ssl", boot: onOff(d.SSL), readOnly: true, context: "sighup",
			desc: "Enables SSL connections."},
		{name: "max_connections", boot: maxConnections(d.MaxConnections), readOnly: true, context: "postmaster",
			desc: "Sets the maximum number of concurrent connections."},
		{name: "shared_buffers", boot: "128MB", readOnly: true, context: "postmaster",
			desc: "Sets the number of shared memory buffers used by the server."},

		// Session behaviour.
		{name: "search_path", boot: `"$user", public`, check: searchPathCheck,
			desc: "Sets the schema search order for names that are not schema-qualified."},
		{name: "role", boot: "none", noResetAll: true, check: roleCheck(user),
			desc: "Sets the current role."},
		{name: "extra_float_digits", boot: "1", check: intCheck("extra_float_digits", -15, 3),
			desc: "Sets the number of digits displayed for floating-point values."},
		{name: "statement_timeout", boot: formatDurationMS(d.StatementTimeout.Milliseconds()),
			check: durationCheck("statement_timeout"),
			desc:  "Sets the maximum allowed duration of any statement."},
		{name: "lock_timeout", boot: "0", check: durationCheck("lock_timeout"),
			desc: "Sets the maximum allowed duration of any wait for a lock."},
		{name: "idle_in_transaction_session_timeout", boot: "0",
			check: durationCheck("idle_in_transaction_session_timeout"),
			desc:  "Sets the maximum allowed idle time between queries, when in a transaction."},
		{name: "idle_session_timeout", boot: "0", check: durationCheck("idle_session_timeout"),
			desc: "Sets the maximum allowed idle time between queries, when not in a transaction."},
		{name: "client_min_messages", boot: "notice",
			check: enumCheck("client_min_messages",
				[]string{"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"},
				map[string]string{"debug": "debug2", "info": "info"}, nil),
			desc: "Sets the message levels that are sent to the client."},
		{name: "bytea_output", boot: "hex",
			check: enumCheck("bytea_output", []string{"hex"}, nil,
				map[string]string{"escape": "fazproxy prints bytea in hex format only"}),
			desc: "Sets the output format for bytea."},
		{name: "row_security", boot: "on", check: boolCheck("row_security"),
			desc: "Enable row security."},
		{name: "timezone_abbreviations", boot: "Default",
			desc: "Selects a file of time zone abbreviations."},
		{name: "default_text_search_config", boot: "pg_catalog.english",
			desc: "Sets default text search configuration."},

		// Transactions. DynamoDB reads see committed data, so the stronger
		// isolation levels are refused rather than pretended.
		{name: "default_transaction_isolation", boot: "read committed", check: isolationCheck("default_transaction_isolation"),
			desc: "Sets the transaction isolation level of each new transaction."},
		{name: "transaction_isolation", boot: "read committed", check: isolationCheck("transaction_isolation"), startsFrom: "default_transaction_isolation",
			desc: "Sets the current transaction's isolation level."},
		{name: "default_transaction_read_only", boot: "off", check: boolCheck("default_transaction_read_only"),
			desc: "Sets the default read-only status of new transactions."},
		{name: "transaction_read_only", boot: "off", check: boolCheck("transaction_read_only"),
			startsFrom: "default_transaction_read_only",
			desc:       "Sets the current transaction's read-only status."},
		{name: "default_transaction_deferrable", boot: "off", check: boolCheck("default_transaction_deferrable"),
			desc: "Sets the default deferrable status of new transactions."},
		{name: "transaction_deferrable", boot: "off", check: boolCheck("transaction_deferrable"),
			startsFrom: "default_transaction_deferrable",
			desc:       "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures."},

		// fazproxy's own.
		{name: "faz.consistent_read", boot: "off", check: boolCheck("faz.consistent_read"),
			desc: "Reads DynamoDB with strongly consistent reads (GetItem, Query, Scan)."},
		{name: "faz.show_capacity", boot: "off", check: boolCheck("faz.show_capacity"),
			desc: "Sends a NOTICE with the DynamoDB capacity each statement consumed."},
		{name: "faz.language", boot: "sql",
			check: enumCheck("faz.language", []string{"sql", "partiql", "dynamo"}, nil, nil),
			desc:  "Sets the language of statements: sql, partiql or dynamo (verb JSON)."},
	}
}

// isolationCheck accepts PostgreSQL's isolation levels but refuses, with a
// hint, the ones DynamoDB reads cannot give.
func isolationCheck(name string) checkFunc {
	check := enumCheck(name, []string{"serializable", "repeatable read", "read committed", "read uncommitted"}, nil, nil)
	return func(in, cur string) (string, error) {
		v, err := check(in, cur)
		if err != nil {
			return "", err
		}
		if v == "serializable" || v == "repeatable read" {
			return "", unsupportedValue(name, in,
				"DynamoDB reads see committed data; use READ COMMITTED")
		}
		return v, nil
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// maxConnections is max_connections for limits.max_connections: PostgreSQL's
// default (100) when not given, and its ceiling (MAX_BACKENDS) for
// unlimited (<0 here; 0 in faz.yaml means unlimited too, but a zero
// Defaults field means "not given").
func maxConnections(n int) string {
	switch {
	case n == 0:
		return "100"
	case n < 0 || n > maxBackends:
		return strconv.Itoa(maxBackends)
	}
	return strconv.Itoa(n)
}

// maxBackends is PostgreSQL's MAX_BACKENDS, max_connections' maximum.
const maxBackends = 262143
