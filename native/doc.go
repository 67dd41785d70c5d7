// Package native accepts DynamoDB-native requests — verb JSON
// ({"verb": "Query", "TableName": ...}) and PartiQL text — decodes them
// strictly into the SDK's input structs, classifies them into the operation
// classes package policy checks, and runs exactly one page of each as rows.
//
// A caller goes through four steps:
//
//	req, err := native.ParseVerb(text, native.Options{DefaultTable: t, KeyNames: keys, Visible: visible})
//	// or native.ParsePartiQL(stmt, params, opts)
//	changed, err := req.EnforceAppendOnlyFunc(keysOfTablesHeldUnderRA) // RA only
//	err = policy.Decide(rules, user, db, req.Needs())
//	res, err := native.Execute(ctx, api, req, cat) // then report res.Continuation
//
// Strictness is the point: an unknown verb, an unknown or misspelt key at any
// depth, or PartiQL whose statement kind and table cannot be told is refused
// (42601) rather than passed through, because anything passed through
// unclassified would bypass access control. PartiQL text is never rewritten:
// it goes to ExecuteStatement unchanged, with its parameters bound as
// AttributeValues.
package native
