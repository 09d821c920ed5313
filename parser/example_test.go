package parser_test

import (
	"errors"
	"fmt"

	"github.com/zksql/zksql/parser"
)

func Example_select() {
	st, err := parser.Parse("select path, length(data) as n from znodes where parent = ? and version >= 2 order by n desc limit 10")
	if err != nil {
		panic(err)
	}
	sel := st.(*parser.Select)
	fmt.Println(sel.From)
	fmt.Println(sel.Where)
	fmt.Println(sel.OrderBy[0].Expr, sel.OrderBy[0].Desc)
	fmt.Println(parser.ParamsOf(st).Ordinal)
	fmt.Println(st)
	// Output:
	// znodes
	// parent = ? AND version >= 2
	// LENGTH(data) true
	// 1
	// SELECT path, LENGTH(data) AS n FROM znodes WHERE parent = ? AND version >= 2 ORDER BY LENGTH(data) DESC LIMIT 10
}

func Example_insert() {
	st, err := parser.Parse("INSERT INTO znodes (path, data) VALUES (:path, :data) ON DUPLICATE KEY UPDATE data = VALUES(data)")
	if err != nil {
		panic(err)
	}
	ins := st.(*parser.Insert)
	fmt.Println(ins.Table, ins.Columns, len(ins.Rows))
	fmt.Println(ins.OnDuplicate[0].Column, "=", ins.OnDuplicate[0].Value)
	fmt.Println(parser.ParamsOf(st).Named)
	// Output:
	// znodes [path data] 1
	// data = VALUES(data)
	// [path data]
}

func Example_update() {
	st, err := parser.Parse("UPDATE znodes SET data = ? WHERE path = ? AND version = ?")
	if err != nil {
		panic(err)
	}
	up := st.(*parser.Update)
	// The planner reads `version = N` as a compare-and-set.
	and := up.Where.(*parser.Binary)
	fmt.Println(and.Op, "|", and.L, "|", and.R)
	// Output:
	// AND | path = ? | version = ?
}

func Example_refused() {
	_, err := parser.Parse("SELECT * FROM znodes z JOIN acls a ON a.path = z.path")
	fmt.Println(err)
	var e *parser.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Offset, e.Near)
	}
	// Output:
	// zksql: syntax error at position 23 near 'JOIN': JOIN is not supported: znodes as z join acls as a on a.path = z.path (statement: SELECT * FROM znodes z JOIN acls a ON a.path = z.path)
	// unsupported 23 JOIN
}

func ExampleWalk() {
	st, _ := parser.Parse("SELECT path FROM znodes WHERE version > 1 AND data IS NOT NULL")
	parser.Walk(st, func(n parser.Node) bool {
		if c, ok := n.(*parser.Column); ok {
			fmt.Println(c.Name)
		}
		return true
	})
	// Output:
	// path
	// version
	// data
}

func ExampleLookupTable() {
	t, _ := parser.LookupTable("ACLS")
	for _, c := range t.Columns {
		fmt.Println(c.Name, c.Type, c.PrimaryKey)
	}
	// Output:
	// path TEXT true
	// scheme TEXT true
	// id TEXT true
	// perms TEXT false
}
