package parser

// Terse constructors for expected ASTs.

func col(name string) *Column            { return &Column{Name: name} }
func lit(v any) *Literal                 { return &Literal{Value: v} }
func str(s string) *Literal              { return &Literal{Value: s} }
func num(n int64) *Literal               { return &Literal{Value: n} }
func q(n int) *Param                     { return &Param{Ordinal: n} }
func named(n string) *Param              { return &Param{Name: n} }
func bin(op BinaryOp, l, r Expr) *Binary { return &Binary{Op: op, L: l, R: r} }
func eq(l, r Expr) *Binary               { return bin(OpEq, l, r) }
func and(l, r Expr) *Binary              { return bin(OpAnd, l, r) }
func or(l, r Expr) *Binary               { return bin(OpOr, l, r) }
func not(x Expr) *Unary                  { return &Unary{Op: OpNot, X: x} }
func fn(name FuncName, args ...Expr) *Func {
	return &Func{Name: name, Args: args}
}
func agg(f AggFunc, arg Expr) *Aggregate { return &Aggregate{Func: f, Arg: arg} }

func items(es ...Expr) []SelectItem {
	out := make([]SelectItem, len(es))
	for i, e := range es {
		out[i] = SelectItem{Expr: e}
	}
	return out
}

func star() []SelectItem { return items(&Star{}) }
