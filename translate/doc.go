// Package translate is fazproxy's SQL front end and planner. It parses
// PostgreSQL-dialect SQL with the real PostgreSQL grammar (pg_query), binds names
// against the catalog, classifies each statement into the operation classes
// policy/ checks, and builds an engine plan whose leaves are the DynamoDB access
// paths an expert would choose (spec/translation.md):
//
//  1. the whole primary key fixed by equality          → GetItem
//  2. the whole key fixed by IN / = ANY / OR of equals → BatchGetItem
//  3. partition key fixed, optional sort-key condition → Query
//  4. the same on a GSI/LSI key                       → Query with IndexName; when
//     the index lacks a used column, the items are then read by the keys it
//     returns (IndexFetch: BatchGetItem per index page, key terms re-checked)
//  5. otherwise                                        → Scan (refused with 54000
//     when allow_full_scan is false)
//
// Predicates DynamoDB evaluates exactly as PostgreSQL would are pushed into the
// key condition or FilterExpression; the rest are evaluated locally. Only the
// attributes a statement uses are projected.
//
// Beyond one table, the local executor runs what DynamoDB cannot
// (from.go, joinplan.go, subquery.go, query.go): FROM items are DynamoDB
// tables, pg_catalog / information_schema relations (unqualified names look
// in pg_catalog, then public), subqueries (LATERAL too), VALUES, WITH queries
// (run once per reference) and functions (generate_series, unnest). WHERE and
// ON terms that read one item are bound again over that item's row and go
// into its access path; a join whose condition fixes a DynamoDB table's key
// from the other side reads that table by key per row of the other side
// (BatchGetItem per 100 rows for a whole key, Query per row for a partition
// key) — the other side's columns are bound one level out (ColRef.Depth 1),
// exactly like the outer columns of a correlated subquery, so the access-path
// planner above needs no join-specific case. Other equi-joins are hash joins,
// the rest nested loops. Subqueries in expressions, UNION/INTERSECT/EXCEPT,
// DISTINCT [ON] follow PostgreSQL's semantics (NOT IN with NULLs included).
package translate
