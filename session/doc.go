// Package session is the SQL side of a connection: it implements wire.Backend
// and wire.Session. For each statement it parses (translate), plans, checks the
// plan's operation classes with policy/ before any DynamoDB call, runs the plan
// (engine) and encodes rows in the formats the client asked for (sqltypes).
// It owns per-connection state: run-time parameters (SET/SHOW), the transaction
// block status reported in ReadyForQuery, and statement timeouts.
package session
