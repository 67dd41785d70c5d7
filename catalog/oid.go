package catalog

import "hash/fnv"

// Table OIDs live in [FirstTableOID, 2^31): above every OID PostgreSQL assigns
// to its own objects (FirstNormalObjectId is 16384), and below 2^31 so clients
// that read an oid into a signed 32-bit integer (JDBC) see a positive number.
const (
	FirstTableOID uint32 = 16384
	tableOIDSpan  uint32 = 1<<31 - FirstTableOID
)

// TableOID is the pg_class OID of DynamoDB table name: the FNV-1a 32 hash of
// "public."+name folded into [FirstTableOID, 2^31). It depends only on the
// name, so every replica and every restart gives a table the same OID, which
// clients cache across connections. Two names may collide (about one pair in
// 2^31 is a pair of the same OID); DynamoDB has no OIDs to borrow instead.
func TableOID(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte("public." + name)) // a hash.Hash never returns an error
	return FirstTableOID + h.Sum32()%tableOIDSpan
}
