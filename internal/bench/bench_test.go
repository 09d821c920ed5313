package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

func TestMain(m *testing.M) {
	maybeHeapChild() // the cache-heap case runs its loads in this binary
	os.Exit(zkserver.RunShared(m, zkserver.Options{}))
}

// TestShort runs the bench command in its short mode against the shared
// live server and checks that it reports every case with numbers. It does
// not check the targets: those are for the full run on a quiet machine.
func TestShort(t *testing.T) {
	cfg := shortConfig()
	cfg.zk = zkserver.SharedAddr(t)
	cfg.json = true
	cfg.rounds, cfg.scanRounds = 1, 1
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}

	want := map[string]bool{}
	for _, c := range allCases {
		want[c.name] = true
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r struct {
			Case   string   `json:"case"`
			Unit   string   `json:"unit"`
			Driver *float64 `json:"driver"`
			Raw    *float64 `json:"raw"`
			Ratio  *float64 `json:"ratio"`
			Cmp    string   `json:"cmp"`
			Target *float64 `json:"target"`
			Met    *bool    `json:"met"`
			Rounds int      `json:"rounds"`
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		json.Unmarshal([]byte(line), &keys)
		_, hasTarget := keys["target"]
		_, hasMet := keys["met"]
		if r.Driver == nil || r.Raw == nil || r.Ratio == nil || !hasTarget || !hasMet || r.Unit == "" {
			t.Errorf("line %q lacks a field", line)
			continue
		}
		// A case with a target says whether it met it; a reported one
		// has neither (null).
		if (r.Cmp != "") != (r.Target != nil) || (r.Target != nil) != (r.Met != nil) {
			t.Errorf("%s: cmp %q, target %v, met %v: want all or none", r.Case, r.Cmp, r.Target, r.Met)
		}
		if *r.Driver <= 0 || *r.Raw <= 0 || *r.Ratio <= 0 {
			t.Errorf("%s: driver %v, raw %v, ratio %v: want positive figures", r.Case, *r.Driver, *r.Raw, *r.Ratio)
		}
		if r.Rounds < 1 {
			t.Errorf("%s: %d rounds", r.Case, r.Rounds)
		}
		name, _, _ := strings.Cut(r.Case, "/")
		if !want[name] {
			t.Errorf("unknown case %q", r.Case)
		}
		seen[name] = true
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("case %s missing from the output:\n%s", name, out.String())
		}
	}
}
