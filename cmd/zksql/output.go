package main

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// format is an output format.
type format string

const (
	formatTable format = "table"
	formatCSV   format = "csv"
	formatJSON  format = "json"
)

func parseFormat(s string) (format, error) {
	switch f := format(strings.ToLower(s)); f {
	case formatTable, formatCSV, formatJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q (want table, csv or json)", s)
}

// result is one statement's outcome, rows or a write's counts.
type result struct {
	cols    []string
	rows    [][]any
	explain bool // the rows are an EXPLAIN plan

	exec         bool // a write: no rows, the counts below
	affected     int64
	lastInsertID int64
	message      string // for shell-side statements (BEGIN, COMMIT, ...)
}

// maxCell is the widest a table cell gets before it is cut.
const maxCell = 60

// writeTable prints res as an aligned table, EXPLAIN as a numbered plan.
func writeTable(w io.Writer, res *result) {
	switch {
	case res.message != "":
		fmt.Fprintln(w, res.message)
		return
	case res.exec:
		return
	case res.explain:
		fmt.Fprintln(w, "plan:")
		for i, r := range res.rows {
			fmt.Fprintf(w, "  %d. %s\n", i+1, cellText(r[len(r)-1], 0))
		}
		return
	case len(res.cols) == 0:
		return
	}
	cells := make([][]string, len(res.rows))
	widths := make([]int, len(res.cols))
	right := make([]bool, len(res.cols))
	for i, c := range res.cols {
		widths[i] = displayWidth(safeText(c))
	}
	for r, row := range res.rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := cellText(v, maxCell)
			cells[r][i] = s
			widths[i] = max(widths[i], displayWidth(s))
			if isNumeric(v) {
				right[i] = true
			}
		}
	}
	var sep strings.Builder
	sep.WriteByte('+')
	for _, wd := range widths {
		sep.WriteString(strings.Repeat("-", wd+2))
		sep.WriteByte('+')
	}
	line := func(vals []string, align bool) {
		var b strings.Builder
		b.WriteByte('|')
		for i, v := range vals {
			pad := strings.Repeat(" ", widths[i]-displayWidth(v))
			b.WriteByte(' ')
			if align && right[i] {
				b.WriteString(pad + v)
			} else {
				b.WriteString(v + pad)
			}
			b.WriteString(" |")
		}
		fmt.Fprintln(w, b.String())
	}
	fmt.Fprintln(w, sep.String())
	header := make([]string, len(res.cols))
	for i, c := range res.cols {
		header[i] = safeText(c)
	}
	line(header, false)
	fmt.Fprintln(w, sep.String())
	for _, row := range cells {
		line(row, true)
	}
	fmt.Fprintln(w, sep.String())
}

// summary is the line after a result: rows returned or affected.
func summary(res *result) string {
	switch {
	case res.message != "":
		return ""
	case res.exec:
		s := plural(res.affected, "row") + " affected"
		if res.lastInsertID != 0 {
			s += fmt.Sprintf(", last insert id %d", res.lastInsertID)
		}
		return s
	case res.explain:
		return plural(int64(len(res.rows)), "step")
	default:
		return plural(int64(len(res.rows)), "row")
	}
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatInt(n, 10) + " " + what + "s"
}

// writeCSV prints res as RFC 4180 CSV with a header row. Data that is not
// UTF-8 is written as 0x and hex; NULL as an empty field. A write prints
// rows_affected and last_insert_id.
func writeCSV(w io.Writer, res *result) error {
	cw := csv.NewWriter(w)
	switch {
	case res.message != "":
		return nil
	case res.exec:
		cw.Write([]string{"rows_affected", "last_insert_id"})
		cw.Write([]string{strconv.FormatInt(res.affected, 10), strconv.FormatInt(res.lastInsertID, 10)})
	default:
		cw.Write(res.cols)
		rec := make([]string, len(res.cols))
		for _, row := range res.rows {
			for i, v := range row {
				rec[i] = plainText(v)
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// plainText is a value in full for CSV: text as is (CSV quotes line
// breaks), bytes that are not UTF-8 as 0x and hex.
func plainText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return "0x" + fmt.Sprintf("%x", x)
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return cellText(v, 0)
	}
}

// writeJSON prints res as one JSON array of objects, keys in column
// order, followed by a newline. Data that is UTF-8 is a string, other data
// an object {"base64": "..."}; times are RFC 3339 strings in UTC. A write
// prints {"rows_affected": N, "last_insert_id": M}.
func writeJSON(w io.Writer, res *result) error {
	var b strings.Builder
	switch {
	case res.message != "":
		return nil
	case res.exec:
		fmt.Fprintf(&b, `{"rows_affected":%d,"last_insert_id":%d}`, res.affected, res.lastInsertID)
	default:
		b.WriteByte('[')
		keys := make([]string, len(res.cols))
		for i, c := range res.cols {
			keys[i] = jsonString(c)
		}
		for r, row := range res.rows {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n  {")
			for i, v := range row {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(keys[i])
				b.WriteByte(':')
				b.WriteString(jsonValue(v))
			}
			b.WriteByte('}')
		}
		if len(res.rows) > 0 {
			b.WriteByte('\n')
		}
		b.WriteByte(']')
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonString(s string) string {
	out, _ := json.Marshal(s) // a string always marshals
	return string(out)
}

func jsonValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case []byte:
		if utf8.Valid(x) {
			return jsonString(string(x))
		}
		return `{"base64":` + jsonString(base64.StdEncoding.EncodeToString(x)) + `}`
	case string:
		return jsonString(x)
	case time.Time:
		return jsonString(x.UTC().Format(time.RFC3339Nano))
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return jsonString(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return jsonString(fmt.Sprint(x))
	}
}
