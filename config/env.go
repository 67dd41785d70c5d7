package config

import (
	"reflect"
	"strconv"
	"strings"
)

// Environment overrides. Every scalar of faz.yaml can be set by a variable
// FAZ_<PATH>: the keys from the top, upper case, joined by "_". Entries of
// databases: and users: are addressed by their name (upper case, any
// character other than a letter or digit becomes "_"):
//
//	listen                                 FAZ_LISTEN
//	admin_listen                           FAZ_ADMIN_LISTEN
//	tls.cert_file / key_file / require     FAZ_TLS_CERT_FILE, FAZ_TLS_KEY_FILE, FAZ_TLS_REQUIRE
//	auth.method                            FAZ_AUTH_METHOD
//	limits.max_connections ...             FAZ_LIMITS_MAX_CONNECTIONS, FAZ_LIMITS_STATEMENT_TIMEOUT,
//	                                       FAZ_LIMITS_IDLE_TIMEOUT, FAZ_LIMITS_MAX_MESSAGE_BYTES,
//	                                       FAZ_LIMITS_SLOW_STATEMENT
//	databases[name=shop].host ...          FAZ_DATABASES_SHOP_HOST, _PORT, _TYPE, _DATABASE,
//	                                       _USERNAME, _PASSWORD, _SSL
//	databases[name=shop].extra.region ...  FAZ_DATABASES_SHOP_EXTRA_REGION, _EXTRA_ENDPOINT_URL,
//	                                       _EXTRA_PROFILE, _EXTRA_SAMPLE_SIZE, _EXTRA_ALLOW_FULL_SCAN
//	users[name=etl].password               FAZ_USERS_ETL_PASSWORD, FAZ_USERS_ETL_PASSWORD_ENV
//
// An override only changes an entry the file has (it cannot add a database or
// a user), and permissions: (lists of rules) are read from the file only, so
// who may do what is always visible in one place. Booleans accept
// true/false/1/0/on/off/yes/no. Other FAZ_ variables (for example those named
// by password_env) are not overrides and are left alone.

// applyEnv applies overrides to f, recording in fromEnv which path each
// overridden value came from, and adds a Problem for a value that does not
// parse (naming the variable, never its value).
func applyEnv(f *fileConfig, lookup func(string) (string, bool), fromEnv map[string]string, problems *Problems) {
	w := envWalker{lookup: lookup, fromEnv: fromEnv, problems: problems}
	w.walkStruct(reflect.ValueOf(f).Elem(), "FAZ", "")
}

type envWalker struct {
	lookup   func(string) (string, bool)
	fromEnv  map[string]string
	problems *Problems
}

// walkStruct visits the yaml-tagged fields of s; it reports whether any
// variable set a value.
func (w envWalker) walkStruct(s reflect.Value, env, path string) bool {
	set := false
	t := s.Type()
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		fenv := env + "_" + strings.ToUpper(tag)
		fpath := tag
		if path != "" {
			fpath = path + "." + tag
		}
		if w.walkField(s.Field(i), fenv, fpath) {
			set = true
		}
	}
	return set
}

func (w envWalker) walkField(f reflect.Value, env, path string) bool {
	switch f.Kind() {
	case reflect.Pointer:
		elem := f.Type().Elem()
		if elem.Kind() == reflect.Struct {
			return w.walkOptionalStruct(f, env, path)
		}
		return w.setScalar(f, env, path)
	case reflect.Slice:
		if f.Type().Elem().Kind() == reflect.Struct {
			w.walkNamedEntries(f, env, path)
		}
	}
	return false // maps (tables, columns) and plain lists are not scalars
}

// walkOptionalStruct handles a section that may be absent (tls:, limits:):
// it is created only when a variable sets something inside it.
func (w envWalker) walkOptionalStruct(f reflect.Value, env, path string) bool {
	target := f
	if f.IsNil() {
		target = reflect.New(f.Type().Elem())
	}
	if !w.walkStruct(target.Elem(), env, path) {
		return false
	}
	f.Set(target)
	return true
}

// walkNamedEntries addresses list entries that have a name: field by name.
func (w envWalker) walkNamedEntries(f reflect.Value, env, path string) {
	for i := 0; i < f.Len(); i++ {
		entry := f.Index(i)
		nameField := entry.FieldByName("Name")
		if !nameField.IsValid() || nameField.IsNil() {
			continue
		}
		name := envName(nameField.Elem().String())
		w.walkStruct(entry, env+"_"+name, path+"["+strconv.Itoa(i)+"]")
	}
}

// setScalar sets a *string, *int or *bool field from the variable env.
func (w envWalker) setScalar(f reflect.Value, env, path string) bool {
	raw, ok := w.lookup(env)
	if !ok {
		return false
	}
	v := reflect.New(f.Type().Elem())
	switch f.Type().Elem().Kind() {
	case reflect.String:
		v.Elem().SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			*w.problems = append(*w.problems, Problem{Path: path, Env: env, Msg: "not an integer"})
			return false
		}
		v.Elem().SetInt(int64(n))
	case reflect.Bool:
		b, ok := parseBool(raw)
		if !ok {
			*w.problems = append(*w.problems, Problem{Path: path, Env: env, Msg: "not a boolean (true/false, on/off, yes/no, 1/0)"})
			return false
		}
		v.Elem().SetBool(b)
	default:
		return false
	}
	f.Set(v)
	w.fromEnv[path] = env
	return true
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "on", "yes", "t", "y":
		return true, true
	case "false", "0", "off", "no", "f", "n":
		return false, true
	}
	return false, false
}

// envName is a name as it appears in a variable: upper case, every character
// other than an ASCII letter or digit replaced by "_".
func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
