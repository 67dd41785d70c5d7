// Package metrics holds fazproxy's Prometheus metrics (DESIGN.md,
// "Observability"). A Registry is built once by the command and passed down:
// it implements the observer interfaces of package wire (connections,
// authentication failures), package session (statements by class and
// outcome) and, per database, package dynamo (requests, latency, consumed
// capacity), and serves everything in the Prometheus text format.
//
// There is no package-level state and the default Prometheus registry is
// never used, so tests build as many registries as they like. No label ever
// holds a value a client chose: statement classes and DynamoDB operations
// come from fixed sets, database names from faz.yaml and table names from
// DynamoDB's own responses.
package metrics
