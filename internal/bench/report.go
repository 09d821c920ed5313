package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// result is one line of the report. Driver and Raw are the medians over
// the rounds, in Unit. For the side-by-side cases Ratio is the median of
// the per-round ratios driver/raw (each round runs both sides back to
// back, so a round's ratio cancels load that drifts from round to round,
// which on a shared machine the ratio of the medians does not), and
// RatioOfMedians is Driver/Raw. Value is what is compared with Target (Cmp
// "<=" or ">="): Ratio for the side-by-side cases, the measured quantity
// itself for the absolute ones (the fraction of the subtree read, MiB of
// heap), where Ratio is Driver/Raw.
// Cases without a target (reported only) have Cmp "" and print target
// and met as null.
type result struct {
	Case           string   `json:"case"`
	Unit           string   `json:"unit"`
	Driver         float64  `json:"driver"`
	Raw            float64  `json:"raw"`
	Ratio          float64  `json:"ratio"`
	Value          float64  `json:"value"`
	Cmp            string   `json:"cmp,omitempty"`
	Target         float64  `json:"-"`
	Met            bool     `json:"-"`
	TargetJSON     *float64 `json:"target"` // Target, null without one
	MetJSON        *bool    `json:"met"`    // Met, null without a target
	RatioOfMedians float64  `json:"ratio_of_medians,omitempty"`
	DriverAllocs   float64  `json:"driver_allocs_per_op,omitempty"`
	RawAllocs      float64  `json:"raw_allocs_per_op,omitempty"`
	Rounds         int      `json:"rounds"`
	// DriverRounds and RawRounds are a sided case's figures round by
	// round, in the order measured (-json only): what its medians hide.
	DriverRounds []float64 `json:"driver_rounds,omitempty"`
	RawRounds    []float64 `json:"raw_rounds,omitempty"`
	Note         string    `json:"note,omitempty"`

	valueIsRatio bool
}

// finish derives Ratio, Value and Met.
func (r *result) finish() {
	if r.Raw != 0 && r.Ratio == 0 {
		r.Ratio = r.Driver / r.Raw
	}
	if r.valueIsRatio {
		r.Value = r.Ratio
	}
	switch r.Cmp {
	case "<=":
		r.Met = r.Value <= r.Target
	case ">=":
		r.Met = r.Value >= r.Target
	}
	if r.Cmp != "" {
		target, met := r.Target, r.Met
		r.TargetJSON, r.MetJSON = &target, &met
	}
	for _, f := range []*float64{&r.Driver, &r.Raw, &r.Ratio, &r.Value, &r.RatioOfMedians} {
		*f = round(*f)
	}
}

func round(f float64) float64 {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	// Four significant digits.
	p := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(f))))
	return math.Round(f*p) / p
}

// sided is a side-by-side result: Value is the ratio.
func sided(unit string, d, w []float64, cmp string, target float64) result {
	r := result{Unit: unit, Driver: median(d), Raw: median(w), Cmp: cmp, Target: target,
		Rounds: len(d), valueIsRatio: true, DriverRounds: d, RawRounds: w}
	if r.Raw != 0 {
		r.RatioOfMedians = r.Driver / r.Raw
	}
	pr := make([]float64, len(d))
	for i := range d {
		if i < len(w) && w[i] != 0 {
			pr[i] = d[i] / w[i]
		}
	}
	r.Ratio = median(pr)
	return r
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reporter prints JSON lines as results come, or a table at the end.
type reporter struct {
	out  io.Writer
	json bool
	rows []result
}

func newReporter(out io.Writer, js bool) *reporter { return &reporter{out: out, json: js} }

func (p *reporter) add(r result) error {
	if p.json {
		enc := json.NewEncoder(p.out) // one object and a newline
		enc.SetEscapeHTML(false)      // "<=", not "\u003c="
		return enc.Encode(r)
	}
	p.rows = append(p.rows, r)
	return nil
}

func (p *reporter) flush() error {
	if p.json {
		return nil
	}
	var sb strings.Builder
	sb.WriteString("| case | unit | driver | raw | ratio | ratio of medians | target | met |\n")
	sb.WriteString("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range p.rows {
		target, met := "(reported)", ""
		if r.Cmp != "" {
			target = fmt.Sprintf("%s %g", r.Cmp, r.Target)
			if !r.valueIsRatio {
				target = fmt.Sprintf("value %s %g", r.Cmp, r.Target)
			}
			met = "yes"
			if !r.Met {
				met = "**no**"
			}
		}
		ratio := fmt.Sprintf("%g", r.Ratio)
		if !r.valueIsRatio && r.Cmp != "" {
			ratio += fmt.Sprintf(" (value %g)", r.Value)
		}
		unit := r.Unit
		if r.DriverAllocs != 0 || r.RawAllocs != 0 {
			unit += fmt.Sprintf("; allocs/op %g vs %g", r.DriverAllocs, r.RawAllocs)
		}
		rom := ""
		if r.RatioOfMedians != 0 {
			rom = fmt.Sprintf("%g", r.RatioOfMedians)
		}
		fmt.Fprintf(&sb, "| %s | %s | %g | %g | %s | %s | %s | %s |\n", r.Case, unit, r.Driver, r.Raw, ratio, rom, target, met)
	}
	for _, r := range p.rows {
		if r.Note != "" {
			fmt.Fprintf(&sb, "\n- %s: %s", r.Case, r.Note)
		}
	}
	sb.WriteString("\n")
	_, err := io.WriteString(p.out, sb.String())
	return err
}
