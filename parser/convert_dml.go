package parser

import (
	"strings"

	"github.com/xwb1989/sqlparser"
)

func (c *converter) insertStmt(ins *sqlparser.Insert) (Statement, *Error) {
	switch {
	case ins.Action != sqlparser.InsertStr:
		return nil, c.errAt(KindUnsupported, c.toks[0], "%s is not supported; use INSERT ... ON DUPLICATE KEY UPDATE", strings.ToUpper(ins.Action))
	case ins.Ignore != "" && ins.OnDup != nil:
		return nil, c.errWords(KindUnsupported, []string{"ignore"}, "INSERT IGNORE with ON DUPLICATE KEY UPDATE is not supported; use one of them")
	case len(ins.Partitions) > 0:
		return nil, c.errWords(KindUnsupported, []string{"partition"}, "PARTITION is not supported")
	}
	table, err := c.tableName(ins.Table)
	if err != nil {
		return nil, err
	}
	if err := c.readOnly(table, "INSERT"); err != nil {
		return nil, err
	}
	if len(ins.Columns) == 0 {
		return nil, c.errWords(KindSyntax, []string{ins.Table.Name.String()}, "INSERT needs a column list, e.g. INSERT INTO %s (%s) VALUES (...)", table.Name, strings.Join(requiredColumns(table), ", "))
	}
	out := &Insert{Table: table.Name, Ignore: ins.Ignore != ""}
	seen := map[string]bool{}
	for _, col := range ins.Columns {
		def, ok := table.Column(col.String())
		if !ok {
			def, ok = insertOnlyColumn(table.Name, col.String())
		}
		switch {
		case !ok:
			return nil, c.errWords(KindUnknown, []string{col.String()}, "unknown column '%s' in table %s", col.String(), table.Name)
		case !def.Insertable:
			return nil, c.errWords(KindUnsupported, []string{col.String()}, "column %s of %s cannot be inserted; insertable columns are %s", def.Name, table.Name, strings.Join(insertableColumns(table), ", "))
		case seen[def.Name]:
			return nil, c.errWords(KindSyntax, []string{col.String()}, "column %s is listed twice", def.Name)
		}
		seen[def.Name] = true
		out.Columns = append(out.Columns, def.Name)
	}
	for _, def := range table.Columns {
		if def.Required && !seen[def.Name] {
			return nil, c.errWords(KindSyntax, []string{ins.Table.Name.String()}, "INSERT INTO %s must set column %s", table.Name, def.Name)
		}
	}

	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok {
		return nil, c.errWords(KindUnsupported, []string{"select"}, "INSERT ... SELECT is not supported")
	}
	vals := scope{clause: "VALUES", noColumns: true}
	for i, row := range rows {
		if len(row) != len(out.Columns) {
			return nil, c.errNode(KindSyntax, row, "row %d has %d values, but %d columns are listed", i+1, len(row), len(out.Columns))
		}
		conv := make([]Expr, len(row))
		for j, v := range row {
			if conv[j], err = c.expr(v, &vals); err != nil {
				return nil, err
			}
		}
		out.Rows = append(out.Rows, conv)
	}

	if ins.OnDup != nil {
		dup := scope{clause: "ON DUPLICATE KEY UPDATE", table: table, values: seen}
		if out.OnDuplicate, err = c.assignments(sqlparser.UpdateExprs(ins.OnDup), table, "", &dup); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func requiredColumns(t *TableDef) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

func insertableColumns(t *TableDef) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Insertable {
			out = append(out, c.Name)
		}
	}
	for _, c := range insertOnly[t.Name] {
		out = append(out, c.Name)
	}
	return out
}

// insertOnly lists the columns an INSERT may set that are not columns of
// the table's rows: the acl of a new znode is set in its create request,
// and read back through the acls table, so SELECT * does not show it.
var insertOnly = map[string][]ColumnDef{
	TableZnodes: {{Name: "acl", Type: TypeText, Insertable: true}},
}

// InsertOnlyColumns returns the insert-only columns of the named table
// (such as znodes.acl): columns an INSERT may list that no SELECT reads.
func InsertOnlyColumns(table string) []ColumnDef {
	return append([]ColumnDef(nil), insertOnly[strings.ToLower(table)]...)
}

func insertOnlyColumn(table, name string) (ColumnDef, bool) {
	name = strings.ToLower(name)
	for _, c := range insertOnly[table] {
		if c.Name == name {
			return c, true
		}
	}
	return ColumnDef{}, false
}

func updatableColumns(t *TableDef) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Updatable {
			out = append(out, c.Name)
		}
	}
	return out
}

// assignments converts SET lists of UPDATE and ON DUPLICATE KEY UPDATE.
func (c *converter) assignments(exprs sqlparser.UpdateExprs, table *TableDef, alias string, s *scope) ([]Assignment, *Error) {
	out := make([]Assignment, 0, len(exprs))
	seen := map[string]bool{}
	for _, ue := range exprs {
		name := ue.Name.Name.String()
		if q := ue.Name.Qualifier; !q.IsEmpty() {
			if !q.Qualifier.IsEmpty() || !(strings.EqualFold(q.Name.String(), table.Name) || (alias != "" && strings.EqualFold(q.Name.String(), alias))) {
				return nil, c.errNode(KindUnknown, ue.Name, "unknown table in column reference %s", quote(ue.Name))
			}
		}
		def, ok := table.Column(name)
		switch {
		case !ok:
			return nil, c.errWords(KindUnknown, []string{name}, "unknown column '%s' in table %s", name, table.Name)
		case !def.Updatable:
			return nil, c.errWords(KindUnsupported, []string{name}, "column %s of %s cannot be updated; updatable columns are %s", def.Name, table.Name, strings.Join(updatableColumns(table), ", "))
		case seen[def.Name]:
			return nil, c.errWords(KindSyntax, []string{name}, "column %s is assigned twice", def.Name)
		}
		seen[def.Name] = true
		v, err := c.expr(ue.Expr, s)
		if err != nil {
			return nil, err
		}
		out = append(out, Assignment{Column: def.Name, Value: v})
	}
	return out, nil
}

func (c *converter) updateStmt(up *sqlparser.Update) (Statement, *Error) {
	switch {
	case len(up.OrderBy) > 0:
		return nil, c.errWords(KindUnsupported, []string{"order", "by"}, "UPDATE ... ORDER BY is not supported")
	case up.Limit != nil:
		return nil, c.errWords(KindUnsupported, []string{"limit"}, "UPDATE ... LIMIT is not supported")
	}
	table, alias, err := c.singleTable(up.TableExprs, false)
	if err != nil {
		return nil, err
	}
	if err := c.readOnly(table, "UPDATE"); err != nil {
		return nil, err
	}
	s := scope{clause: "UPDATE", table: table, alias: alias}
	out := &Update{Table: table.Name}
	if out.Set, err = c.assignments(up.Exprs, table, alias, &s); err != nil {
		return nil, err
	}
	if up.Where != nil {
		s.clause = "WHERE"
		if out.Where, err = c.expr(up.Where.Expr, &s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *converter) deleteStmt(del *sqlparser.Delete) (Statement, *Error) {
	switch {
	case len(del.Targets) > 0:
		return nil, c.errNode(KindUnsupported, del.Targets, "multi-table DELETE is not supported")
	case len(del.Partitions) > 0:
		return nil, c.errWords(KindUnsupported, []string{"partition"}, "PARTITION is not supported")
	case len(del.OrderBy) > 0:
		return nil, c.errWords(KindUnsupported, []string{"order", "by"}, "DELETE ... ORDER BY is not supported")
	case del.Limit != nil:
		return nil, c.errWords(KindUnsupported, []string{"limit"}, "DELETE ... LIMIT is not supported")
	}
	table, alias, err := c.singleTable(del.TableExprs, false)
	if err != nil {
		return nil, err
	}
	if err := c.readOnly(table, "DELETE"); err != nil {
		return nil, err
	}
	out := &Delete{Table: table.Name}
	if del.Where != nil {
		s := scope{clause: "WHERE", table: table, alias: alias}
		if out.Where, err = c.expr(del.Where.Expr, &s); err != nil {
			return nil, err
		}
	}
	return out, nil
}
