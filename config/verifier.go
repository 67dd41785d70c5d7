package config

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/stringprep"

	"github.com/fazproxy/fazproxy/wire"
)

// ParseVerifier decodes a SCRAM-SHA-256 verifier as PostgreSQL stores it in
// pg_authid.rolpassword:
//
//	SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
//
// Its errors describe the shape expected, never the text given.
func ParseVerifier(s string) (wire.Credentials, error) {
	bad := func(why string) (wire.Credentials, error) {
		return wire.Credentials{}, errors.New("not a SCRAM-SHA-256 verifier (" + why +
			`): want "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"; ` +
			"`fazproxy verifier` prints one for a password")
	}
	method, rest, ok := strings.Cut(s, "$")
	if !ok || method != "SCRAM-SHA-256" {
		return bad(`it does not start with "SCRAM-SHA-256$"`)
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return bad("no $ before the keys")
	}
	iterText, saltText, ok := strings.Cut(iterSalt, ":")
	if !ok {
		return bad("no : between iterations and salt")
	}
	iters, err := strconv.Atoi(iterText)
	if err != nil || iters < 1 || iters > 10_000_000 {
		return bad("iterations is not a number between 1 and 10000000")
	}
	storedText, serverText, ok := strings.Cut(keys, ":")
	if !ok {
		return bad("no : between StoredKey and ServerKey")
	}
	salt, err := base64.StdEncoding.DecodeString(saltText)
	if err != nil || len(salt) == 0 {
		return bad("the salt is not base64")
	}
	stored, err1 := base64.StdEncoding.DecodeString(storedText)
	server, err2 := base64.StdEncoding.DecodeString(serverText)
	if err1 != nil || err2 != nil || len(stored) != sha256.Size || len(server) != sha256.Size {
		return bad("StoredKey and ServerKey must be base64 of 32 bytes each")
	}
	return wire.Credentials{Salt: salt, Iters: iters, StoredKey: stored, ServerKey: server}, nil
}

// DefaultIterations is what MakeVerifier uses (PostgreSQL's scram_iterations
// default).
const DefaultIterations = 4096

// MakeVerifier derives a verifier for password with a fresh random salt, as
// PostgreSQL's own password_encryption = scram-sha-256 does (RFC 5802/7677).
func MakeVerifier(password string, iterations int) (string, error) {
	c, err := deriveCredentials(password, iterations)
	if err != nil {
		return "", err
	}
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, enc(c.Salt), enc(c.StoredKey), enc(c.ServerKey)), nil
}

// deriveCredentials computes SCRAM-SHA-256 secrets for password with a fresh
// random salt. Like PostgreSQL (and the clients, RFC 5802), the password is
// normalized with SASLprep first; one SASLprep refuses is used as it is.
func deriveCredentials(password string, iterations int) (wire.Credentials, error) {
	if prepared, err := stringprep.SASLprep.Prepare(password); err == nil {
		password = prepared
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return wire.Credentials{}, fmt.Errorf("reading random salt: %w", err)
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return wire.Credentials{}, fmt.Errorf("deriving the salted password: %w", err)
	}
	stored := sha256.Sum256(hmacSHA256(salted, "Client Key"))
	return wire.Credentials{Salt: salt, Iters: iterations, StoredKey: stored[:], ServerKey: hmacSHA256(salted, "Server Key")}, nil
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
