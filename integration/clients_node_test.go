package integration

import (
	"context"
	"testing"
	"time"
)

// nodeAllowed are the documented differences node-postgres may see; none so
// far.
var nodeAllowed = []allowedDiff{}

// TestClientsNodePostgres runs integration/clients/node/check.js
// (node-postgres: a simple-protocol query, parameterised queries and catalog
// queries) with the node_modules `npm ci` installed from the committed
// package-lock.json, against both servers.
func TestClientsNodePostgres(t *testing.T) {
	tools := installClients(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	outputs := map[string]string{}
	for _, e := range clientEndpoints(t) {
		outputs[e.name] = runClient(ctx, t, e, tools.nodeDir, "node", "check.js", e.url())
	}
	compareClientOutputs(t, "node-postgres", outputs["reference"], outputs["fazproxy"], nodeAllowed)
}
