// Package integration holds fazproxy's end-to-end tests: the real fazproxy
// binary in front of the official DynamoDB Local, driven by real clients (psql,
// pgx), with a real PostgreSQL holding the same rows as the reference for
// differential tests. Nothing here is faked and nothing skips: when a part
// cannot start, the run fails.
package integration
