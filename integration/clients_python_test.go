package integration

import (
	"context"
	"testing"
	"time"
)

// pythonAllowed are the documented differences the Python clients may see;
// none so far: psycopg, SQLAlchemy's Inspector and pandas must see exactly
// what they see on PostgreSQL.
var pythonAllowed = []allowedDiff{
	{section: "sqlalchemy columns *", field: "comment", why: "fazproxy names each key attribute's role in its column comment (col_description), as pgjdbc's REMARKS show; the reference columns have no comments"},
}

// TestClientsPython runs integration/clients/python/check.py (psycopg 3 with
// text and binary results, SQLAlchemy 2's Inspector on each demo table,
// pandas.read_sql of a join) in the venv scripts/install-clients made,
// against both servers.
func TestClientsPython(t *testing.T) {
	tools := installClients(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := repoFile("integration", "clients", "python")
	outputs := map[string]string{}
	for _, e := range clientEndpoints(t) {
		outputs[e.name] = runClient(ctx, t, e, dir, tools.python, "check.py", e.host, e.port, e.user, e.db)
	}
	compareClientOutputs(t, "python (psycopg 3, SQLAlchemy 2, pandas)", outputs["reference"], outputs["fazproxy"], pythonAllowed)
}
