package wire

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
)

// fakeBackend is a Backend and Authenticator for tests: users with
// passwords, one auth method for all, and sessions that understand a tiny
// statement language (see fakeSession.prepareOne).
type fakeBackend struct {
	method   AuthMethod
	users    map[string]string // user → password
	mu       sync.Mutex
	sessions []*fakeSession // guarded by mu
}

var (
	_ Backend       = (*fakeBackend)(nil)
	_ Authenticator = (*fakeBackend)(nil)
)

func (b *fakeBackend) Method(_ context.Context, user, _ string, _ net.Addr) (AuthMethod, error) {
	if user == "banned" {
		return 0, pgerr.New(pgerr.InvalidAuthorizationSpec, "user %q may not connect", user)
	}
	return b.method, nil
}

func (b *fakeBackend) SCRAMCredentials(user string) (Credentials, bool) {
	pw, ok := b.users[user]
	if !ok {
		return Credentials{}, false
	}
	return scramCredentialsFor(pw), true
}

func (b *fakeBackend) CheckPassword(user, password string) bool {
	pw, ok := b.users[user]
	return ok && hmac.Equal([]byte(pw), []byte(password))
}

func (b *fakeBackend) NewSession(_ context.Context, info StartupInfo) (Session, error) {
	if info.Database == "nodb" {
		return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", info.Database)
	}
	s := &fakeSession{tx: 'I', info: info}
	b.mu.Lock()
	b.sessions = append(b.sessions, s)
	b.mu.Unlock()
	return s, nil
}

// scramCredentialsFor derives SCRAM-SHA-256 secrets from a password as
// PostgreSQL does (RFC 5802 with SHA-256).
func scramCredentialsFor(password string) Credentials {
	salt := []byte("0123456789abcdef")
	iters := 4096
	salted, err := pbkdf2.Key(sha256.New, password, salt, iters, sha256.Size)
	if err != nil {
		panic(err) // only for invalid parameters, which these are not
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return Credentials{Salt: salt, Iters: iters, StoredKey: stored[:], ServerKey: hmacSHA256(salted, "Server Key")}
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// fakeSession understands statements separated by ';':
//
//	(empty or "-- comment")  the empty query
//	select N                 N rows of one int4 column n = 1..N
//	echo T1 T2 ...           parameters of types T (int4|text), echoed as one row
//	block                    waits until its ctx is cancelled
//	sleep                    takes 200ms (or until its ctx is cancelled)
//	error                    fails with 42601 and every error field set
//	insert                   no rows, tag INSERT 0 1
//	notice                   a NOTICE, then tag NOTICE
//	set NAME VALUE           ParameterStatus, tag SET
//	begin / commit           transaction status T / I
//	fatal                    fails FATAL 57P01
//	copy T from stdin [binary]  COPY FROM STDIN: counts the lines it reads
//	                         (kept in copied), stops at a line "\.", fails
//	                         22P02 at a line "bad"; tag COPY n
//	copy N to stdout         COPY TO STDOUT of lines 1..N (3 when N is not
//	                         a number); tag COPY n
//
// Verbs are case-insensitive (psql sends "COPY").
type fakeSession struct {
	info   StartupInfo
	mu     sync.Mutex
	tx     byte     // guarded by mu
	closed bool     // guarded by mu
	copied []string // lines received by COPY FROM STDIN; guarded by mu
}

// copiedLines returns the lines COPY FROM STDIN received so far.
func (s *fakeSession) copiedLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.copied...)
}

func (s *fakeSession) ParameterStatus() []ParamStatus {
	return []ParamStatus{{"server_version", "15.0 (fazproxy)"}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"}}
}

func (s *fakeSession) TxStatus() byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx
}

func (s *fakeSession) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *fakeSession) Prepare(_ context.Context, text string, paramTypes []uint32) ([]Statement, error) {
	var out []Statement
	for part := range strings.SplitSeq(text, ";") {
		st, err := s.prepareOne(strings.TrimSpace(part), paramTypes)
		if err != nil {
			return nil, err
		}
		if st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

func (s *fakeSession) prepareOne(text string, declared []uint32) (Statement, error) {
	if text == "" || strings.HasPrefix(text, "--") {
		return nil, nil
	}
	words := strings.Fields(text)
	st := &fakeStmt{sess: s, verb: strings.ToLower(words[0]), args: words[1:]}
	switch st.verb {
	case "select":
		if len(st.args) != 1 {
			return nil, pgerr.New(pgerr.SyntaxError, "select needs a count")
		}
		n, err := strconv.Atoi(st.args[0])
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.SyntaxError, "bad count")
		}
		st.rows = n
		st.fields = []FieldDesc{{Name: "n", TypeOID: 23, TypeSize: 4, TypeModifier: -1}}
	case "echo":
		for i, a := range st.args {
			oid := uint32(25)
			if a == "int4" {
				oid = 23
			}
			if i < len(declared) && declared[i] != 0 {
				oid = declared[i]
			}
			st.params = append(st.params, oid)
			st.fields = append(st.fields, FieldDesc{Name: fmt.Sprintf("p%d", i+1), TypeOID: oid, TypeSize: -1, TypeModifier: -1})
		}
	case "copy":
		if len(st.args) < 3 {
			return nil, pgerr.New(pgerr.SyntaxError, "copy needs a target and a direction")
		}
	case "sleep", "block", "error", "insert", "notice", "set", "begin", "commit", "fatal":
	default:
		return nil, &pgerr.Error{Code: pgerr.SyntaxError, Message: fmt.Sprintf("syntax error at or near %q", st.verb), Position: 1}
	}
	return st, nil
}

type fakeStmt struct {
	sess   *fakeSession
	verb   string
	args   []string
	rows   int
	params []uint32
	fields []FieldDesc
}

func (st *fakeStmt) Empty() bool          { return false }
func (st *fakeStmt) ParamTypes() []uint32 { return st.params }
func (st *fakeStmt) Fields() []FieldDesc  { return st.fields }
func (st *fakeStmt) Close()               {}

func (st *fakeStmt) Bind(_ context.Context, params [][]byte, paramFormats, resultFormats []int16) (Portal, error) {
	p := &fakePortal{st: st}
	if len(params) != len(st.params) {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", len(params)+1)
	}
	for i, v := range params {
		s, err := decodeParam(v, st.params[i], formatOf(paramFormats, i))
		if err != nil {
			return nil, err
		}
		p.values = append(p.values, s)
		p.nulls = append(p.nulls, v == nil)
	}
	if st.fields != nil {
		p.fields = make([]FieldDesc, len(st.fields))
		for i, f := range st.fields {
			f.Format = formatOf(resultFormats, i)
			p.fields[i] = f
		}
	}
	return p, nil
}

func formatOf(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return 0
	case 1:
		return formats[0]
	}
	return formats[i]
}

func decodeParam(v []byte, oid uint32, format int16) (string, error) {
	if v == nil {
		return "", nil
	}
	if format == 1 && oid == 23 {
		if len(v) != 4 {
			return "", pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format in bind parameter")
		}
		return strconv.Itoa(int(int32(binary.BigEndian.Uint32(v)))), nil
	}
	return string(v), nil
}

func encodeValue(s string, oid uint32, format int16) []byte {
	if format == 1 && oid == 23 {
		n, _ := strconv.Atoi(s)
		return binary.BigEndian.AppendUint32(nil, uint32(int32(n)))
	}
	return []byte(s)
}

type fakePortal struct {
	st     *fakeStmt
	fields []FieldDesc
	values []string
	nulls  []bool
	next   int // next row of a select to send
}

func (p *fakePortal) Fields() []FieldDesc { return p.fields }
func (p *fakePortal) Close()              {}

func (p *fakePortal) Execute(ctx context.Context, maxRows int, out ResultWriter) (string, bool, error) {
	st := p.st
	switch st.verb {
	case "select":
		return p.executeSelect(maxRows, out)
	case "echo":
		row := make([][]byte, len(p.values))
		for i, v := range p.values {
			if !p.nulls[i] {
				row[i] = encodeValue(v, st.params[i], p.fields[i].Format)
			}
		}
		return "SELECT 1", false, out.Row(row)
	case "block":
		<-ctx.Done()
		return "", false, ctx.Err()
	case "sleep":
		select {
		case <-time.After(200 * time.Millisecond):
			return "SLEEP", false, nil
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	case "error":
		return "", false, &pgerr.Error{Code: pgerr.DivisionByZero, Message: "division by zero",
			Detail: "the detail", Hint: "the hint", Position: 3}
	case "fatal":
		return "", false, pgerr.New(pgerr.AdminShutdown, "going away").Fatal()
	case "notice":
		return "NOTICE", false, out.Notice(&pgerr.Error{Code: pgerr.Warning, Severity: "WARNING", Message: "careful"})
	case "set":
		return "SET", false, out.ParameterStatus(st.args[0], st.args[1])
	case "copy":
		return p.executeCopy(ctx, out)
	case "begin", "commit":
		st.sess.mu.Lock()
		st.sess.tx = map[string]byte{"begin": 'T', "commit": 'I'}[st.verb]
		st.sess.mu.Unlock()
		return strings.ToUpper(st.verb), false, nil
	}
	return "INSERT 0 1", false, nil
}

func (p *fakePortal) executeSelect(maxRows int, out ResultWriter) (string, bool, error) {
	sent := 0
	for p.next < p.st.rows {
		if maxRows > 0 && sent == maxRows {
			return "", true, nil
		}
		p.next++
		sent++
		if err := out.Row([][]byte{encodeValue(strconv.Itoa(p.next), 23, p.fields[0].Format)}); err != nil {
			return "", false, err
		}
	}
	return "SELECT " + strconv.Itoa(p.st.rows), false, nil
}

// executeCopy runs "copy T from stdin [binary]" or "copy N to stdout".
func (p *fakePortal) executeCopy(ctx context.Context, out ResultWriter) (string, bool, error) {
	cw, ok := out.(CopyWriter)
	if !ok {
		return "", false, pgerr.New(pgerr.FeatureNotSupported, "the ResultWriter cannot COPY")
	}
	args := p.st.args
	if strings.EqualFold(args[1], "to") {
		return copyOut(ctx, cw, args[0])
	}
	var format int16
	if len(args) > 3 && strings.EqualFold(args[3], "binary") {
		format = 1
	}
	r, err := cw.CopyIn(format, []int16{format})
	if err != nil {
		return "", false, err
	}
	n, err := p.st.sess.copyLines(ctx, r)
	if err != nil {
		return "", false, err
	}
	return "COPY " + strconv.Itoa(n), false, nil
}

// copyLines reads COPY data line by line into the session, stopping at the
// end-of-data marker "\." (the server then discards the rest) and failing
// at a line "bad".
func (s *fakeSession) copyLines(ctx context.Context, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		line := sc.Text()
		switch line {
		case `\.`:
			return n, nil
		case "bad":
			return n, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type integer: %q", line)
		}
		s.mu.Lock()
		s.copied = append(s.copied, line)
		s.mu.Unlock()
		n++
	}
	return n, sc.Err()
}

// copyOut sends lines 1..N (N = target, or 3) as COPY TO STDOUT.
func copyOut(ctx context.Context, cw CopyWriter, target string) (string, bool, error) {
	n, err := strconv.Atoi(target)
	if err != nil {
		n = 3
	}
	if err := cw.CopyOut(0, []int16{0}); err != nil {
		return "", false, err
	}
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		if err := cw.CopyData([]byte(strconv.Itoa(i) + "\n")); err != nil {
			return "", false, err
		}
	}
	return "COPY " + strconv.Itoa(n), false, nil
}
