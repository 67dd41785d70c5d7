package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/integration/harness"
)

// TestConcurrentConditionalUpdates races two clients claiming the same fresh
// item: `UPDATE ... SET n = n + 1, owner = '<me>' WHERE pk = 'k' AND owner IS
// NULL`. The WHERE travels as the UpdateItem's condition (spec/translation.md
// "Writes"), so for every item exactly one UPDATE reports 1 row, the other 0,
// the owner is the winner's and n was incremented once.
func TestConcurrentConditionalUpdates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const table = "conc_t"
	const items = 200
	api := harness.DynamoClient(env.endpoint)
	createKeyTable(ctx, t, api, table, "pk")
	// The seed shows the sampler the columns n and owner.
	putItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"pk": avS("seed"), "n": avN("0"), "owner": avS("seed")})
	for i := 0; i < items; i++ {
		putItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"pk": avS(fmt.Sprintf("k%03d", i)), "n": avN("0")})
	}
	p := harness.StartFazproxyProcess(t, env.binary, harness.DemoConfig(env.endpoint))
	clients := []string{"a", "b"}
	conns := make([]*pgx.Conn, len(clients))
	for i := range clients {
		conns[i] = connect(ctx, t, p.DSN("demo", "demo"))
	}

	for i := 0; i < items; i++ {
		k := fmt.Sprintf("k%03d", i)
		affected := make([]int64, len(clients))
		errs := make([]error, len(clients))
		var start, done sync.WaitGroup
		start.Add(1)
		for c, who := range clients {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait() // both leave together, to race for real
				tags, err := simpleExec(ctx, conns[c], fmt.Sprintf(`UPDATE %s SET n = n + 1, owner = '%s' WHERE pk = '%s' AND owner IS NULL`, table, who, k))
				errs[c] = err
				if err == nil && len(tags) == 1 {
					_, _ = fmt.Sscanf(tags[0], "UPDATE %d", &affected[c])
				}
			}()
		}
		start.Done()
		done.Wait()
		for c := range clients {
			if errs[c] != nil {
				t.Errorf("%s: client %s: %v", k, clients[c], errs[c])
			}
		}
		winners := 0
		winner := ""
		for c, n := range affected {
			if n == 1 {
				winners++
				winner = clients[c]
			} else if n != 0 {
				t.Errorf("%s: client %s reported UPDATE %d", k, clients[c], n)
			}
		}
		if winners != 1 {
			t.Errorf("%s: %d clients report UPDATE 1 (%v), want exactly one", k, winners, affected)
			continue
		}
		item := getItem(ctx, t, api, table, map[string]ddbtypes.AttributeValue{"pk": avS(k)})
		owner, _ := item["owner"].(*ddbtypes.AttributeValueMemberS)
		n, _ := item["n"].(*ddbtypes.AttributeValueMemberN)
		if owner == nil || owner.Value != winner || n == nil || n.Value != "1" {
			t.Errorf("%s: item %s, want owner %q and n 1 (the winner's single write)", k, itemString(item), winner)
		}
	}
}
