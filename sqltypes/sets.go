package sqltypes

import (
	"bytes"
	"slices"
	"strings"
)

// DynamoDB sets are unordered and the service returns their members in no
// particular order, so a set read twice could print differently. Reading
// them sorted (strings and binaries bytewise, numbers by value) makes every
// read of the same item give the same array, as a user comparing results
// expects. The input slices belong to the SDK output and are not modified.

func sortedStrings(in []string) []string {
	out := slices.Clone(in)
	slices.SortFunc(out, strings.Compare)
	return out
}

func sortedBytes(in [][]byte) [][]byte {
	out := slices.Clone(in)
	slices.SortFunc(out, bytes.Compare)
	return out
}

func sortedNumbers(in []string) ([]*Decimal, error) {
	out := make([]*Decimal, len(in))
	for i, s := range in {
		d, err := ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	slices.SortFunc(out, func(a, b *Decimal) int { return a.Cmp(b) })
	return out, nil
}
