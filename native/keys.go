package native

import (
	"context"
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
)

// CatalogKeyNames returns an Options.KeyNames that reads key schemas from
// cat. A table whose metadata cannot be read has no known keys, which only
// makes classification stricter (a conditioned put counts as write, a
// condition counts as a read); the error itself surfaces when the request
// runs, from DynamoDB or from Execute's own catalog lookup.
func CatalogKeyNames(ctx context.Context, cat catalog.Source) func(table string) []string {
	return func(table string) []string {
		t, err := cat.Table(ctx, table)
		if err != nil || t == nil {
			return nil
		}
		keys := []string{t.PartitionKey.Name}
		if t.SortKey != nil {
			keys = append(keys, t.SortKey.Name)
		}
		return keys
	}
}

// IsVerbJSON reports whether a query text is verb JSON rather than SQL or
// PartiQL: a JSON object, which neither of those can start with.
func IsVerbJSON(text string) bool {
	return strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "{")
}
