package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no input makes Parse panic, and every error it returns is a
// list of problems (F0000) rather than something unexpected.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("databases: [{name: x, tables: {t: {columns: {a: 'text[]'}}}}]\npermissions: [{database: x, access: RW, tables: {t: none}}]\n"))
	env := envMap(map[string]string{"FAZ_LIMITS_MAX_CONNECTIONS": "3", "FAZ_DATABASES_SHOP_EXTRA_REGION": "x"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, env)
		if err == nil && (cfg == nil || cfg.Rules == nil || len(cfg.Databases) == 0) {
			t.Fatalf("Parse accepted a configuration without databases or rules: %+v", cfg)
		}
	})
}
