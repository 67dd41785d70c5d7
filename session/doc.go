// Package session is the SQL side of a connection: it implements wire.Backend
// and wire.Session. For each statement it parses (translate), plans, checks the
// plan's operation classes with policy/ before any DynamoDB call, runs the plan
// (engine) and encodes rows in the formats the client asked for (sqltypes).
// It owns per-connection state: run-time parameters (SET/SHOW, package guc),
// the transaction block status reported in ReadyForQuery, and statement
// timeouts.
//
// Statements and when they are checked:
//   - SELECT and EXPLAIN are planned at Prepare (Describe needs their columns)
//     and authorised at every Execute, so a permission change between Parse
//     and Execute, or between two Executes of a suspended portal, takes effect.
//   - In a query string of several statements each is planned when it is
//     bound, after the previous one ran (BEGIN, SET search_path, ROLLBACK).
//   - SET, SHOW, RESET, BEGIN/COMMIT/ROLLBACK, SAVEPOINT, DISCARD and
//     DEALLOCATE run in the session. A block holds no writes in this release,
//     so it holds run-time parameters and the 'T'/'E' status.
//   - Writes (INSERT, UPDATE, DELETE, DDL, data-modifying WITH) are
//     refused with 0A000 before anything is read.
//   - COPY FROM STDIN / TO STDOUT run in the session (copy.go): FROM needs
//     write access (BatchWriteItem puts overwrite), checked before any data
//     is read; TO is a planned SELECT, checked at Execute.
//   - Verb JSON (a query text that is a JSON object, or any text under
//     faz.language = 'dynamo') and PartiQL (faz.language = 'partiql') are
//     decoded by package native and checked at Prepare and again at every
//     Execute, after the append-only guard is applied (native.go).
//
// Each running statement gets a view of the catalogs (stmtCatalog): the
// catalog/system.Env the virtual pg_catalog and information_schema relations
// are computed from, and the expr.CatalogInfo behind the catalog functions
// (has_table_privilege, pg_get_indexdef ...) and the reg* types. Both list
// only the tables policy shows the user: a table under "none" is absent from
// every catalog query and does not resolve as ::regclass.
//
// Errors inside a block move it to 'E' until ROLLBACK (25P02 meanwhile);
// statement_timeout and CancelRequest end a statement with 57014.
package session
