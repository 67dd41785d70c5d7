// Package bench holds fazproxy's benchmarks. They run against the real
// DynamoDB Local and the real fazproxy binary and report figures side by side
// with hand-written aws-sdk-go-v2 code measured in the same run, so results are
// ratios rather than absolute timings of one machine. Run with `make bench`.
package bench
