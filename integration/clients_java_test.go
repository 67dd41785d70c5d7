package integration

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// jdbcAllowed are the differences pgjdbc may see between the reference
// PostgreSQL and fazproxy, each with its reason. Anything else fails.
var jdbcAllowed = []allowedDiff{
	{section: "catalogs", match: "TABLE_CAT=postgres", why: "the reference server's maintenance database; fazproxy lists only the configured databases"},
	{section: "catalogs", match: "TABLE_CAT=template1", why: "the reference server's template database; fazproxy has no templates"},
	{section: "catalogs", field: "rows", why: "follows from the two lines above"},
	{section: "tables", field: "REMARKS", why: "fazproxy describes each DynamoDB table and index in its comment (obj_description); the reference tables have no comments"},
	{section: "columns *", field: "REMARKS", why: "fazproxy names each key attribute's role in its column comment (col_description); the reference columns have no comments"},
}

// TestClientsPgJDBC runs integration/clients/java/ClientCheck.java (pgjdbc
// metadata calls, then a PreparedStatement executed six times with
// prepareThreshold=1, so binary results are used) against both servers.
func TestClientsPgJDBC(t *testing.T) {
	tools := installClients(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	classes := t.TempDir()
	src := repoFile("integration", "clients", "java", "ClientCheck.java")
	if out, err := exec.CommandContext(ctx, "javac", "-encoding", "UTF-8", "-cp", tools.pgjdbcJar, "-d", classes, src).CombinedOutput(); err != nil {
		t.Fatalf("javac %s: %v\n%s", src, err, out)
	}
	cp := tools.pgjdbcJar + string(filepath.ListSeparator) + classes
	outputs := map[string]string{}
	for _, e := range clientEndpoints(t) {
		url := "jdbc:postgresql://" + e.host + ":" + e.port + "/" + e.db + "?sslmode=disable"
		outputs[e.name] = runClient(ctx, t, e, classes, "java", "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC", "-cp", cp, "ClientCheck", url, e.user)
	}
	compareClientOutputs(t, "pgjdbc", outputs["reference"], outputs["fazproxy"], jdbcAllowed)
}
