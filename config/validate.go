package config

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// validator turns the file structs into a Config, collecting every problem.
type validator struct {
	file     string
	env      func(string) (string, bool)
	fromEnv  map[string]string // path → FAZ_ variable that set it
	problems Problems
}

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: v.file, Path: path, Env: v.fromEnv[path], Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) config(f *fileConfig) *Config {
	for i := range v.problems { // from applyEnv
		v.problems[i].File = v.file
	}
	c := &Config{
		Listen:      v.address("listen", str(f.Listen, DefaultListen), true),
		AdminListen: v.address("admin_listen", str(f.AdminListen, ""), false),
		TLS:         v.tls(f.TLS),
		Limits:      v.limits(f.Limits),
	}
	if f.Auth != nil {
		c.Auth = v.authMethod(f.Auth.Method)
	}
	c.Users = v.users(f.Users, c.Auth)
	c.Databases = v.databases(f.Databases)
	c.Permissions, c.Rules = v.permissions(f.Permissions, c.Databases, c.Users)
	return c
}

func str(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func (v *validator) address(path, addr string, required bool) string {
	if addr == "" {
		if required {
			v.addf(path, "must not be empty (default %s)", DefaultListen)
		}
		return ""
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		v.addf(path, "%q is not a host:port address", addr)
	}
	return addr
}

func (v *validator) tls(t *fileTLS) *TLSConfig {
	if t == nil {
		return nil
	}
	c := &TLSConfig{CertFile: str(t.CertFile, ""), KeyFile: str(t.KeyFile, "")}
	if t.Require != nil {
		c.Require = *t.Require
	}
	if c.CertFile == "" {
		v.addf("tls", "cert_file is required when tls: is present")
	}
	if c.KeyFile == "" {
		v.addf("tls", "key_file is required when tls: is present")
	}
	return c
}

func (v *validator) authMethod(m *string) wire.AuthMethod {
	switch str(m, "scram-sha-256") {
	case "scram-sha-256":
		return wire.AuthSCRAM
	case "password":
		return wire.AuthPassword
	case "trust":
		return wire.AuthTrust
	}
	v.addf("auth.method", "unknown method %q: use scram-sha-256, password or trust (loopback only)", *m)
	return wire.AuthSCRAM
}

func (v *validator) limits(l *fileLimits) Limits {
	out := Limits{MaxConnections: DefaultMaxConnections, MaxMessageBytes: DefaultMaxMessageBytes, SlowStatement: DefaultSlowStatement}
	if l == nil {
		return out
	}
	if l.MaxConnections != nil {
		if *l.MaxConnections < 0 {
			v.addf("limits.max_connections", "must be 0 (unlimited) or more")
		}
		out.MaxConnections = *l.MaxConnections
	}
	if l.StatementTimeout != nil {
		d, err := parseDuration(*l.StatementTimeout)
		if err != nil {
			v.addf("limits.statement_timeout", "%v", err)
		}
		out.StatementTimeout = d
	}
	if l.SlowStatement != nil {
		d, err := parseDuration(*l.SlowStatement)
		if err != nil {
			v.addf("limits.slow_statement", "%v", err)
		}
		out.SlowStatement = d
	}
	if l.IdleTimeout != nil {
		d, err := parseDuration(*l.IdleTimeout)
		if err != nil {
			v.addf("limits.idle_timeout", "%v", err)
		}
		out.IdleTimeout = d
	}
	if l.MaxMessageBytes != nil {
		n, err := parseSize(*l.MaxMessageBytes)
		switch {
		case err != nil:
			v.addf("limits.max_message_bytes", "%v", err)
		case n < 1024:
			v.addf("limits.max_message_bytes", "must be at least 1kB")
		default:
			out.MaxMessageBytes = int(n)
		}
	}
	return out
}

func (v *validator) users(us []fileUser, method wire.AuthMethod) []User {
	var out []User
	seen := map[string]bool{}
	for i, fu := range us {
		path := "users[" + strconv.Itoa(i) + "]"
		u := User{Name: str(fu.Name, "")}
		switch {
		case u.Name == "":
			v.addf(path, "name is required")
		case seen[u.Name]:
			v.addf(path+".name", "user %q is listed twice", u.Name)
		}
		seen[u.Name] = true
		v.userSecret(&u, fu, path, method)
		out = append(out, u)
	}
	return out
}

// userSecret reads a user's password (a verifier) or password_env. Messages
// name the field or variable, never the secret.
func (v *validator) userSecret(u *User, fu fileUser, path string, method wire.AuthMethod) {
	hasPW, hasEnv := fu.Password != nil && *fu.Password != "", fu.PasswordEnv != nil && *fu.PasswordEnv != ""
	switch {
	case hasPW && hasEnv:
		v.addf(path, "user %q: set password or password_env, not both", u.Name)
	case hasPW:
		cred, err := ParseVerifier(*fu.Password)
		if err != nil {
			v.addf(path+".password", "user %q: %v", u.Name, err)
			return
		}
		u.SCRAM = &cred
	case hasEnv:
		val, ok := v.env(*fu.PasswordEnv)
		if !ok || val == "" {
			v.addf(path+".password_env", "user %q: environment variable %s is not set or empty", u.Name, *fu.PasswordEnv)
			return
		}
		u.Plaintext = Secret(val)
		// SCRAM needs stored keys: derive them, as PostgreSQL does when a
		// plain password is set.
		cred, err := deriveCredentials(val, DefaultIterations)
		if err != nil {
			v.addf(path+".password_env", "user %q: %v", u.Name, err)
			return
		}
		u.SCRAM = &cred
	case method != wire.AuthTrust:
		v.addf(path, "user %q has neither password (a SCRAM verifier) nor password_env, which auth method %s needs",
			u.Name, methodName(method))
	}
}

func methodName(m wire.AuthMethod) string {
	switch m {
	case wire.AuthPassword:
		return "password"
	case wire.AuthTrust:
		return "trust"
	}
	return "scram-sha-256"
}

func (v *validator) databases(dbs []fileDB) []Database {
	if len(dbs) == 0 {
		v.addf("databases", "at least one database is required")
	}
	var out []Database
	seen := map[string]bool{}
	for i, fd := range dbs {
		path := "databases[" + strconv.Itoa(i) + "]"
		d := v.database(fd, path)
		if d.Name != "" && seen[d.Name] {
			v.addf(path+".name", "database %q is listed twice", d.Name)
		}
		seen[d.Name] = true
		out = append(out, d)
	}
	return out
}

func (v *validator) database(fd fileDB, path string) Database {
	d := Database{
		Name:            str(fd.Name, ""),
		Type:            str(fd.Type, "dynamodb"),
		Host:            str(fd.Host, ""),
		Database:        str(fd.Database, ""),
		AccessKeyID:     str(fd.Username, ""),
		SecretAccessKey: Secret(str(fd.Password, "")),
		SSL:             fd.SSL != nil && *fd.SSL,
		Region:          DefaultRegion,
		SampleSize:      DefaultSampleSize,
		AllowFullScan:   true,
		CacheTTL:        DefaultCacheTTL,
	}
	if d.Name == "" {
		v.addf(path, "name is required (the database name PostgreSQL clients connect to)")
	}
	if d.Type != "dynamodb" {
		v.addf(path+".type", "type %q is not supported: fazproxy serves type dynamodb", d.Type)
	}
	d.Port = DefaultPort
	if fd.Port != nil {
		d.Port = *fd.Port
		if d.Port < 1 || d.Port > 65535 {
			v.addf(path+".port", "must be between 1 and 65535")
		}
	}
	if (d.AccessKeyID == "") != (d.SecretAccessKey == "") {
		v.addf(path, "database %q: set both username (access key id) and password (secret key), or neither to use the AWS credential chain", d.Name)
	}
	v.extra(&d, fd.Extra, path+".extra")
	if d.EndpointURL == "" {
		d.EndpointURL = endpointFromHost(d.Host, d.Port)
	}
	d.Tables = v.tables(fd.Tables, path+".tables")
	return d
}

func (v *validator) extra(d *Database, e *fileExtra, path string) {
	if e == nil {
		return
	}
	d.Region = str(e.Region, DefaultRegion)
	if d.Region == "" {
		v.addf(path+".region", "must not be empty (default %s)", DefaultRegion)
	}
	d.Profile = str(e.Profile, "")
	d.EndpointURL = str(e.EndpointURL, "")
	if d.EndpointURL != "" {
		u, err := url.Parse(d.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.addf(path+".endpoint_url", "%q is not an http:// or https:// URL", d.EndpointURL)
		}
	}
	if e.SampleSize != nil {
		d.SampleSize = *e.SampleSize
		if d.SampleSize <= 0 {
			d.SampleSize = -1 // catalog.Options: < 0 means no sampling, 0 would mean the default
		}
	}
	if e.AllowFullScan != nil {
		d.AllowFullScan = *e.AllowFullScan
	}
	if e.CacheTTL != nil {
		ttl, err := parseDuration(*e.CacheTTL)
		if err == nil && ttl <= 0 {
			err = fmt.Errorf("must be more than 0 (default %s)", DefaultCacheTTL)
		}
		if err != nil {
			v.addf(path+".cache_ttl", "%v", err)
		}
		d.CacheTTL = ttl
	}
}

// endpointFromHost follows the seed: host and port name the endpoint when
// extra.endpoint_url is not set — except AWS's own hosts (and no host at
// all), for which the SDK's regional HTTPS endpoint is right.
func endpointFromHost(host string, port int) string {
	if host == "" || strings.HasSuffix(host, ".amazonaws.com") {
		return ""
	}
	scheme := "http"
	if port == 443 {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port))
}

func (v *validator) tables(ts map[string]fileTable, path string) map[string]map[string]sqltypes.OID {
	out := map[string]map[string]sqltypes.OID{}
	for _, t := range sortedKeys(ts) {
		cols := map[string]sqltypes.OID{}
		for _, c := range sortedKeys(ts[t].Columns) {
			oid, ok := parseTypeName(ts[t].Columns[c])
			if !ok {
				v.addf(path+"."+t+".columns."+c, "unknown type %q for column %q: use text, numeric, integer, bigint, boolean, bytea, jsonb, json, text[], numeric[], bytea[], timestamptz, date ...",
					ts[t].Columns[c], c)
				continue
			}
			cols[c] = oid
		}
		out[t] = cols
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (v *validator) permissions(ps []filePermit, dbs []Database, users []User) ([]policy.Entry, *policy.Rules) {
	dbNames, userNames := map[string]bool{}, map[string]bool{}
	for _, d := range dbs {
		dbNames[d.Name] = true
	}
	for _, u := range users {
		userNames[u.Name] = true
	}
	var entries []policy.Entry
	for i, p := range ps {
		path := "permissions[" + strconv.Itoa(i) + "]"
		e := policy.Entry{Database: str(p.Database, ""), Access: str(p.Access, ""), Users: p.Users, Tables: p.Tables}
		v.permission(e, path, dbNames, userNames)
		entries = append(entries, e)
	}
	if len(v.problems) > 0 {
		return entries, nil // Compile would only repeat what was said
	}
	rules, err := policy.Compile(entries)
	if err != nil {
		v.addf("permissions", "%v", err)
	}
	return entries, rules
}

func (v *validator) permission(e policy.Entry, path string, dbNames, userNames map[string]bool) {
	switch {
	case e.Database == "":
		v.addf(path, "database is required")
	case !dbNames[e.Database]:
		v.addf(path+".database", "database %q is not one of the names under databases:", e.Database)
	}
	if e.Access == "" {
		v.addf(path, "access is required (R, W, RW, RA, RWA, A or none)")
	} else if _, err := policy.ParseAccess(e.Access); err != nil {
		v.addf(path+".access", "invalid access code %q: use one of R, W, RW, RA, RWA, A, none", e.Access)
	}
	for j, u := range e.Users {
		if !userNames[u] {
			v.addf(path+".users["+strconv.Itoa(j)+"]", "user %q is not one of the names under users:", u)
		}
	}
	for _, t := range sortedKeys(e.Tables) {
		if _, err := policy.ParseAccess(e.Tables[t]); err != nil {
			v.addf(path+".tables."+t, "invalid access code %q for table %q: use one of R, W, RW, RA, RWA, A, none", e.Tables[t], t)
		}
	}
}
