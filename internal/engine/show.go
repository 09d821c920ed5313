package engine

import (
	"database/sql/driver"
	"slices"
	"strings"

	"github.com/zksql/zksql/parser"
)

// showTables answers SHOW TABLES: one row per table, in column
// Tables_in_zksql as MySQL names it.
func showTables() *rows {
	cols := []column{{name: "Tables_in_zksql", dbType: "TEXT", scan: scanString, nullable: 2}}
	var vals [][]driver.Value
	var names []string
	for _, t := range parser.Tables() {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	for _, n := range names {
		vals = append(vals, []driver.Value{n})
	}
	return staticRows(cols, vals)
}

// describe answers DESCRIBE table / SHOW COLUMNS FROM table with MySQL's
// columns: Field, Type, Null, Key, Default, Extra. Extra says which
// statements may write the column.
func describe(table string) (*rows, error) {
	def, err := tableDef(table)
	if err != nil {
		return nil, err
	}
	text := func(n string) column { return column{name: n, dbType: "TEXT", scan: scanString, nullable: 2} }
	cols := []column{text("Field"), text("Type"), text("Null"), text("Key"),
		{name: "Default", dbType: "TEXT", scan: scanString, nullable: 1}, text("Extra")}
	var vals [][]driver.Value
	for _, c := range def.Columns {
		null := "NO"
		if nullableColumn(def.Name, c.Name) {
			null = "YES"
		}
		key := ""
		if c.PrimaryKey {
			key = "PRI"
		}
		var dflt driver.Value
		switch {
		case def.Name == parser.TableZnodes && c.Name == "mode":
			dflt = "persistent"
		case def.Name == parser.TableZnodes && c.Name == "data":
			dflt = ""
		}
		var extra []string
		if c.Required {
			extra = append(extra, "required")
		} else if c.Insertable {
			extra = append(extra, "insertable")
		}
		if c.Updatable {
			extra = append(extra, "updatable")
		}
		if !c.Insertable && !c.Updatable {
			extra = append(extra, "read-only")
		}
		vals = append(vals, []driver.Value{c.Name, c.Type.String(), null, key, dflt, strings.Join(extra, ", ")})
	}
	return staticRows(cols, vals), nil
}
