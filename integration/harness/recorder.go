package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Recorder is a small HTTP reverse proxy on 127.0.0.1 in front of DynamoDB
// Local that counts the SDK calls passing through it, by operation (the
// X-Amz-Target header, e.g. "GetItem") and by table (TableName in the JSON
// body, or the keys of RequestItems). Point a fazproxy's extra.endpoint_url at
// URL to see exactly which DynamoDB calls a statement made.
//
// A Recorder may also rewrite BatchWriteItem exchanges (see
// Recorder.FaultBatchWrite) the way a throttled DynamoDB answers them: part of
// the request's items come back in UnprocessedItems and are never written.
type Recorder struct {
	URL    string // http://127.0.0.1:port
	target string
	client *http.Client
	srv    *http.Server

	mu     sync.Mutex
	calls  []Call
	fault  func(n int) bool // n: the 1-based BatchWriteItem count; true = throttle this one
	nBatch int
	faults int // BatchWriteItem requests answered with UnprocessedItems
}

// Call is one recorded request.
type Call struct {
	Op     string   // e.g. "PutItem"
	Tables []string // the tables the request names, sorted as sent
}

// Metadata reports whether op only reads metadata (DescribeTable,
// ListTables, DescribeTimeToLive ...): the catalog sends these to learn
// tables, and they neither read nor change items.
func Metadata(op string) bool {
	return strings.HasPrefix(op, "Describe") || strings.HasPrefix(op, "List")
}

// StartRecorder starts a Recorder forwarding to target (a DynamoDB Local
// endpoint URL); its stop is registered with r.
func StartRecorder(r Registrar, target string) (*Recorder, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("harness: recorder listen: %w", err)
	}
	rec := &Recorder{
		URL:    "http://" + l.Addr().String(),
		target: strings.TrimRight(target, "/"),
		client: &http.Client{Timeout: 60 * time.Second},
	}
	rec.srv = &http.Server{Handler: rec, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rec.srv.Serve(l) }()
	r.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rec.srv.Shutdown(ctx)
	})
	return rec, nil
}

// FaultBatchWrite makes the recorder throttle the BatchWriteItem requests for
// which throttle(n) is true (n counts BatchWriteItem requests from 1): half of
// each table's items (at least one) are kept out of the forwarded request and
// returned in UnprocessedItems. nil turns faults off.
func (rec *Recorder) FaultBatchWrite(throttle func(n int) bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.fault = throttle
}

// Faults is how many BatchWriteItem requests were answered with
// UnprocessedItems by FaultBatchWrite.
func (rec *Recorder) Faults() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.faults
}

// Reset forgets the recorded calls.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls = nil
}

// Calls returns the calls recorded since the last Reset, in arrival order.
func (rec *Recorder) Calls() []Call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Call(nil), rec.calls...)
}

// Counts returns the recorded calls counted by operation and by
// "operation table" (one entry per table a call names), split into data-plane
// calls and metadata calls (see Metadata).
func (rec *Recorder) Counts() (data, metadata map[string]int) {
	data, metadata = map[string]int{}, map[string]int{}
	for _, c := range rec.Calls() {
		m := data
		if Metadata(c.Op) {
			m = metadata
		}
		m[c.Op]++
		for _, t := range c.Tables {
			m[c.Op+" "+t]++
		}
	}
	return data, metadata
}

// DataCalls returns the data-plane calls (everything but Metadata) since the
// last Reset.
func (rec *Recorder) DataCalls() []Call {
	var out []Call
	for _, c := range rec.Calls() {
		if !Metadata(c.Op) {
			out = append(out, c)
		}
	}
	return out
}

func (rec *Recorder) record(op string, body []byte) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls = append(rec.calls, Call{Op: op, Tables: tablesOf(body)})
}

// tablesOf reads TableName, or the keys of RequestItems, from a request body.
func tablesOf(body []byte) []string {
	var b struct {
		TableName    string
		RequestItems map[string]json.RawMessage
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	var out []string
	if b.TableName != "" {
		out = append(out, b.TableName)
	}
	for t := range b.RequestItems {
		out = append(out, t)
	}
	return out
}

func (rec *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	target := req.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	rec.record(op, body)
	var withheld map[string][]json.RawMessage
	if op == "BatchWriteItem" {
		body, withheld = rec.maybeThrottle(body)
	}
	if body == nil { // every item withheld: answer without forwarding
		rec.reply(w, http.StatusOK, http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, mergeUnprocessed([]byte(`{"UnprocessedItems":{}}`), withheld))
		return
	}
	status, header, respBody, err := rec.forward(req, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if withheld != nil && status == http.StatusOK {
		respBody = mergeUnprocessed(respBody, withheld)
	}
	rec.reply(w, status, header, respBody)
}

// forward sends the request on to DynamoDB Local. The signature covers the
// body, and DynamoDB Local does not check signatures, so a rewritten body
// passes. Go's transport asks for and undoes gzip itself, so the body read
// back is plain.
func (rec *Recorder) forward(req *http.Request, body []byte) (int, http.Header, []byte, error) {
	out, err := http.NewRequestWithContext(req.Context(), req.Method, rec.target+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range req.Header {
		if k == "Accept-Encoding" || k == "Content-Length" {
			continue
		}
		out.Header[k] = vs
	}
	resp, err := rec.client.Do(out)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// reply writes the response with a fresh X-Amz-Crc32 (the SDK checks it
// against the body it receives, which may have been rewritten).
func (rec *Recorder) reply(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, vs := range header {
		switch k {
		case "Content-Length", "Content-Encoding", "X-Amz-Crc32", "Transfer-Encoding":
			continue
		}
		w.Header()[k] = vs
	}
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// maybeThrottle withholds half of each table's write requests when the fault
// function says so. It returns the body to forward (nil: nothing is left to
// forward) and the withheld requests by table.
func (rec *Recorder) maybeThrottle(body []byte) ([]byte, map[string][]json.RawMessage) {
	rec.mu.Lock()
	rec.nBatch++
	throttle := rec.fault != nil && rec.fault(rec.nBatch)
	rec.mu.Unlock()
	if !throttle {
		return body, nil
	}
	var in map[string]json.RawMessage
	var items map[string][]json.RawMessage
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(in["RequestItems"], &items) != nil {
		return body, nil
	}
	withheld := map[string][]json.RawMessage{}
	kept := map[string][]json.RawMessage{}
	for t, reqs := range items {
		n := (len(reqs) + 1) / 2
		withheld[t] = reqs[:n]
		if len(reqs) > n {
			kept[t] = reqs[n:]
		}
	}
	rec.mu.Lock()
	rec.faults++
	rec.mu.Unlock()
	if len(kept) == 0 {
		return nil, withheld
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return body, nil
	}
	in["RequestItems"] = raw
	out, err := json.Marshal(in)
	if err != nil {
		return body, nil
	}
	return out, withheld
}

// mergeUnprocessed adds the withheld requests to a BatchWriteItem response's
// UnprocessedItems.
func mergeUnprocessed(resp []byte, withheld map[string][]json.RawMessage) []byte {
	var out map[string]json.RawMessage
	if json.Unmarshal(resp, &out) != nil {
		return resp
	}
	un := map[string][]json.RawMessage{}
	if raw, ok := out["UnprocessedItems"]; ok {
		if err := json.Unmarshal(raw, &un); err != nil {
			return resp
		}
	}
	for t, reqs := range withheld {
		un[t] = append(un[t], reqs...)
	}
	raw, err := json.Marshal(un)
	if err != nil {
		return resp
	}
	out["UnprocessedItems"] = raw
	b, err := json.Marshal(out)
	if err != nil {
		return resp
	}
	return b
}
