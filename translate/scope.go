package translate

import (
	"strings"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/pgerr"
)

func undefinedColumn(name string, t *catalog.Table) error {
	e := pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
	if t != nil {
		e.Hint = "attributes not seen when the table was sampled are still readable through the " +
			catalog.ItemColumn + " column, e.g. " + catalog.ItemColumn + "->>'" + lastPart(name) + "'"
	}
	return e
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}
