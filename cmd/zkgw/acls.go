package main

import (
	"context"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"

	"github.com/zksql/zksql/zkstore"
)

// Column positions in the acls schema.
const (
	aclPath = iota
	aclScheme
	aclID
	aclPerms
	aclAversion
)

// newACLsTable is acls: one row per ACL entry, writable with -writable
// (acl_writes.go). It has no primary key; the index on path makes
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
		c("aversion", types.Int32, "the znode's ACL version when read; an UPDATE or DELETE applies only if it is still the same"),
	}
	// An INSERT names path, scheme, id and perms; aversion is read.
	s[aclAversion].Nullable = true
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
				acl, st, err := gw.store.GetACL(ctx, path)
				if err != nil {
					return nil, err
				}
				rows := make([]sql.Row, len(acl))
				for i, a := range acl {
					rows[i] = sql.Row{path, a.Scheme, a.ID, zkstore.PermString(a.Perms), st.Aversion}
				}
				return rows, nil
			}
		},
	}
}
