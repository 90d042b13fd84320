// Package layers holds the test that keeps chkafka's packages within their layers
// (DESIGN.md "Layout and layering"): imports point downward only.
package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/chkafka/chkafka"

// allowed lists, per package (or prefix ending in "/"), the module packages it may
// import outside its tests.
var allowed = map[string][]string{
	"virtualcols":           {},
	"offsets":               {},
	"block":                 {"virtualcols"},
	"format":                {"block", "virtualcols"},
	"format/all":            {"format/"},
	"format/":               {"format", "format/internal/", "format/registry", "block", "virtualcols"},
	"kafkaengine":           {"format", "block", "virtualcols", "offsets"},
	"kafkatest":             {},
	"kafkaengine/kafkaprom": {"kafkaengine"},
	"internal/datagen":      {"format", "block", "virtualcols", "kafkaengine"},
	"internal/bench":        {"*"},
	"internal/bench/":       {"*"},
	"internal/layers":       {},
	"examples/":             {"*"},
}

// saramaImporters are the only packages that may import sarama.
var saramaImporters = map[string]bool{"kafkaengine": true}

func rule(pkg string) ([]string, bool) {
	if r, ok := allowed[pkg]; ok {
		return r, true
	}
	for k, r := range allowed {
		if strings.HasSuffix(k, "/") && strings.HasPrefix(pkg, k) {
			return r, true
		}
	}
	return nil, false
}

func permits(rules []string, dep string) bool {
	for _, r := range rules {
		if r == "*" || r == dep || (strings.HasSuffix(r, "/") && strings.HasPrefix(dep, r)) {
			return true
		}
	}
	return false
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mod+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], mod), "/")
		rules, ok := rule(pkg)
		if !ok {
			t.Errorf("package %s has no layering rule: add it to allowed", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/IBM/sarama") && !saramaImporters[pkg] && !strings.HasPrefix(pkg, "examples/") {
				t.Errorf("%s imports sarama: only kafkaengine may", pkg)
			}
			if !strings.HasPrefix(imp, mod+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, mod+"/")
			if !permits(rules, dep) {
				t.Errorf("forbidden import edge %s → %s (allowed: %v)", pkg, dep, rules)
			}
		}
	}
}
