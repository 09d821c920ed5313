package parser

import (
	"strings"
	"testing"
)

func TestSystemTables(t *testing.T) {
	var names []string
	for _, tb := range Tables() {
		if !IsSystemTable(tb.Name) {
			if tb.ReadOnly {
				t.Errorf("table %s is read-only", tb.Name)
			}
			continue
		}
		names = append(names, tb.Name)
		if !tb.ReadOnly {
			t.Errorf("system table %s is not read-only", tb.Name)
		}
		for _, c := range tb.Columns {
			if c.Insertable || c.Updatable || c.Required {
				t.Errorf("%s.%s is writable: %+v", tb.Name, c.Name, c)
			}
		}
	}
	if got := strings.Join(names, ","); got != "servers,connections,session,watches,ephemerals,ensemble_config" {
		t.Errorf("system tables %s", got)
	}
	if s, _ := LookupTable("SERVERS"); !s.ReadOnly {
		t.Error("LookupTable drops ReadOnly")
	}
}

func TestSystemTableStatements(t *testing.T) {
	for _, tt := range []struct{ sql, want string }{
		{"SELECT * FROM session", "SELECT * FROM `session`"},
		{"DESCRIBE session", "DESCRIBE `session`"},
		{"SHOW COLUMNS FROM session", "DESCRIBE `session`"},
		{"SELECT role, COUNT(*) FROM servers WHERE reachable = 1 GROUP BY role", "SELECT role, COUNT(*) FROM servers WHERE reachable = 1 GROUP BY role"},
		{"EXPLAIN SELECT path FROM watches", "EXPLAIN SELECT path FROM watches"},
	} {
		st, err := Parse(tt.sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.sql, err)
			continue
		}
		if got := st.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
	for _, tt := range []struct{ sql, want string }{
		{"DELETE FROM servers", "position 12 near 'servers': DELETE on table servers: the system tables are read-only"},
		{"UPDATE watches SET path = 'x'", "position 7 near 'watches': UPDATE on table watches: the system tables are read-only"},
		{"INSERT INTO ephemerals (path) VALUES ('/x')", "INSERT on table ephemerals: the system tables are read-only"},
		{"DESCRIBE status", "expected a table name"},
		{"SELECT nope FROM servers", "nope"},
	} {
		_, err := Parse(tt.sql)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q): %v, want %q", tt.sql, err, tt.want)
		}
	}
}
