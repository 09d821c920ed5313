package main

import (
	"context"

	"github.com/dolthub/go-mysql-server/sql"

	"github.com/zksql/zksql/zkstore"
)

// newACLsTable is acls: one row per ACL entry, read-only through the
// gateway. It has no primary key; the index on path makes
// path = 'x' one getACL.
func newACLsTable(gw *gateway) *table {
	c := func(name string, typ sql.Type, comment string) *sql.Column {
		return &sql.Column{Name: name, Type: typ, Source: "acls", Comment: comment}
	}
	s := sql.Schema{
		c("path", pathType, "the znode"),
		c("scheme", shortText, "world, auth, digest, ip, ..."),
		c("id", pathType, "the identity within the scheme"),
		c("perms", shortText, "permission letters of cdrwa"),
	}
	return &table{
		gw:      gw,
		name:    "acls",
		comment: "one row per ACL entry",
		schema:  sql.NewPrimaryKeySchema(s),
		indexes: []*zkIndex{
			{db: gw.cfg.Database, table: "acls", id: "path", column: "path", typ: pathType},
		},
		fetch: func(gw *gateway) fetchFunc {
			return func(ctx context.Context, path string) ([]sql.Row, error) {
				acl, _, err := gw.store.GetACL(ctx, path)
				if err != nil {
					return nil, err
				}
				rows := make([]sql.Row, len(acl))
				for i, a := range acl {
					rows[i] = sql.Row{path, a.Scheme, a.ID, zkstore.PermString(a.Perms)}
				}
				return rows, nil
			}
		},
	}
}
