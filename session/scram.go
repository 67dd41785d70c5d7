package session

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"

	"github.com/fazproxy/fazproxy/wire"
)

// verifySCRAMPassword checks a cleartext password against a SCRAM-SHA-256
// verifier (RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key"))), for
// clients that authenticate with auth method "password" against users whose
// secret is stored as a verifier.
func verifySCRAMPassword(c wire.Credentials, password string) bool {
	salted, err := pbkdf2.Key(sha256.New, password, c.Salt, c.Iters, sha256.Size)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, salted)
	mac.Write([]byte("Client Key"))
	stored := sha256.Sum256(mac.Sum(nil))
	return subtle.ConstantTimeCompare(stored[:], c.StoredKey) == 1
}
