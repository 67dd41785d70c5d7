package native

import (
	"context"
	"slices"
	"testing"

	"github.com/fazproxy/fazproxy/catalog"
)

// keyCatalog serves tables with the given keys; unknown tables are errors.
type keyCatalog struct{ fakeCatalog }

func (*keyCatalog) Table(_ context.Context, name string) (*catalog.Table, error) {
	switch name {
	case "orders":
		return &catalog.Table{Name: name, PartitionKey: catalog.KeyAttr{Name: "pk", Type: "S"}, SortKey: &catalog.KeyAttr{Name: "sk", Type: "N"}}, nil
	case "users":
		return &catalog.Table{Name: name, PartitionKey: catalog.KeyAttr{Name: "id", Type: "S"}}, nil
	}
	return (&fakeCatalog{}).Table(context.Background(), name)
}

func TestCatalogKeyNames(t *testing.T) {
	keys := CatalogKeyNames(context.Background(), &keyCatalog{})
	cases := []struct {
		table string
		want  []string
	}{
		{"orders", []string{"pk", "sk"}},
		{"users", []string{"id"}},
		{"missing", nil},
	}
	for _, c := range cases {
		if got := keys(c.table); !slices.Equal(got, c.want) {
			t.Errorf("%s: keys = %v, want %v", c.table, got, c.want)
		}
	}
	req, err := ParseVerb(`{"verb":"PutItem","TableName":"users","Item":{},"ConditionExpression":"attribute_not_exists(id)"}`, Options{KeyNames: keys})
	if err != nil {
		t.Fatal(err)
	}
	if got := needsString(req.Needs()); got != "users:insert" {
		t.Errorf("needs = %s", got)
	}
}

func TestIsVerbJSON(t *testing.T) {
	cases := map[string]bool{
		`{"verb":"Scan"}`:      true,
		"  \n{":                true,
		`SELECT * FROM t`:      false,
		`"{"`:                  false,
		"":                     false,
		`-- {"verb":"Scan"}`:   false,
		`/* x */ {"verb": ""}`: false,
	}
	for text, want := range cases {
		if got := IsVerbJSON(text); got != want {
			t.Errorf("IsVerbJSON(%q) = %v", text, got)
		}
	}
}
