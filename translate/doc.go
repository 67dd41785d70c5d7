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
package translate
