package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// request counts one DynamoDB call: its operation, one page, the items it
// scanned and returned, and the capacity it consumed. A nil Stats counts
// nothing.
func (s *Stats) request(op string, scanned, returned int64, cc ...*types.ConsumedCapacity) {
	if s == nil {
		return
	}
	if s.Requests == nil {
		s.Requests = map[string]int{}
	}
	s.Requests[op]++
	s.Pages++
	s.ItemsScanned += scanned
	s.ItemsReturned += returned
	for _, c := range cc {
		if c != nil && c.CapacityUnits != nil {
			s.ConsumedCapacity += *c.CapacityUnits
		}
	}
}

// Add adds o's counts to s (used to fold a sub-execution's stats, such as
// EXPLAIN ANALYZE's, into the statement's).
func (s *Stats) Add(o *Stats) {
	if s == nil || o == nil {
		return
	}
	if s.Requests == nil && len(o.Requests) > 0 {
		s.Requests = map[string]int{}
	}
	for k, v := range o.Requests {
		s.Requests[k] += v
	}
	s.ItemsScanned += o.ItemsScanned
	s.ItemsReturned += o.ItemsReturned
	s.Pages += o.Pages
	s.ConsumedCapacity += o.ConsumedCapacity
}

// TotalRequests is the number of DynamoDB calls made.
func (s *Stats) TotalRequests() int {
	if s == nil {
		return 0
	}
	n := 0
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// RequestsString renders Requests as "BatchGetItem=2, Query=1" (sorted), or
// "none".
func (s *Stats) RequestsString() string {
	if s == nil || len(s.Requests) == 0 {
		return "none"
	}
	ops := make([]string, 0, len(s.Requests))
	for op := range s.Requests {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s=%d", op, s.Requests[op])
	}
	return strings.Join(parts, ", ")
}
