package main

import (
	"strings"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
	"github.com/dolthub/go-mysql-server/sql/types"
)

// likeRuleID names fixLikePrefix among the analyzer's rules.
const likeRuleID analyzer.RuleId = 1000

// maxPathRune is above every character a ZooKeeper path can hold:
// PathUtils.validatePath refuses UTF-16 units from U+D800 up (except
// U+F900..U+FFEF), so no supplementary character, and nothing from U+FFF0.
const maxPathRune = "\U0010FFFF"

// fixLikePrefix works around go-mysql-server v0.20.0's simplifyFilters,
// which turns col LIKE 'p%' into col >= 'p' AND col <= 'p' + byte 0xFF and
// so loses every row whose character after p is above U+00FF. It runs
// first and rewrites the LIKE so that rule leaves it alone:
//
//   - the pattern 'p%' becomes 'p%%', which matches the same strings but has
//     two wildcards, which simplifyFilters does not touch;
//   - for path and parent, which hold ZooKeeper paths, it adds
//     col >= 'p' AND col <= 'p' + U+10FFFF, a range that holds every path
//     starting with p, so the index lookup still walks only below p.
func fixLikePrefix(ctx *sql.Context, _ *analyzer.Analyzer, n sql.Node, _ *plan.Scope, _ analyzer.RuleSelector, _ *sql.QueryFlags) (sql.Node, transform.TreeIdentity, error) {
	return transform.NodeExprs(n, func(e sql.Expression) (sql.Expression, transform.TreeIdentity, error) {
		like, ok := e.(*expression.Like)
		if !ok || like.Escape != nil {
			return e, transform.SameTree, nil
		}
		lit, ok := like.RightChild.(*expression.Literal)
		if !ok {
			return e, transform.SameTree, nil
		}
		pat, ok := lit.Value().(string)
		if !ok || len(pat) < 2 || !strings.HasSuffix(pat, "%") {
			return e, transform.SameTree, nil
		}
		p := pat[:len(pat)-1]
		if strings.ContainsAny(p, `%_\`) {
			return e, transform.SameTree, nil // not a plain prefix; simplifyFilters skips it too
		}
		doubled := expression.NewLike(like.LeftChild, expression.NewLiteral(pat+"%", lit.Type()), nil)
		gf, ok := like.LeftChild.(*expression.GetField)
		if !ok || !types.IsText(gf.Type()) || !isPathColumn(gf) {
			return doubled, transform.NewTree, nil
		}
		return expression.JoinAnd(
			doubled,
			expression.NewGreaterThanOrEqual(gf, expression.NewLiteral(p, lit.Type())),
			expression.NewLessThanOrEqual(gf, expression.NewLiteral(p+maxPathRune, lit.Type())),
		), transform.NewTree, nil
	})
}

func isPathColumn(gf *expression.GetField) bool {
	switch strings.ToLower(gf.Name()) {
	case "path", "parent":
		t := strings.ToLower(gf.Table())
		return t == "znodes" || t == "acls"
	}
	return false
}
