package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dolthub/go-mysql-server/sql"

	"github.com/zksql/zksql/zkstore"
)

// errReadOnly is the answer to a write on a gateway started without -writable
// (the engine refuses first; this is the second lock).
var errReadOnly = errors.New("zkgw: the gateway is read-only; start it with -writable to change znodes")

var (
	_ sql.InsertableTable = (*table)(nil)
	_ sql.UpdatableTable  = (*table)(nil)
	_ sql.DeletableTable  = (*table)(nil)
)

// editor collects one statement's changes to znodes and sends them as one
// multi when the statement completes, so a statement applies all or
// nothing. Updates and deletes carry the version the row was read with:
// a znode changed in between fails the statement with ZooKeeper's
// BadVersion, nothing applied, and the gateway never retries.
type editor struct {
	t   *table
	ops []zkstore.Op
	err error
}

// rowEditor is what both tables' editors are.
type rowEditor interface {
	sql.RowInserter
	sql.RowUpdater
	sql.RowDeleter
}

func (t *table) editor() rowEditor {
	if t.name == "acls" {
		return &aclEditor{t: t}
	}
	return &editor{t: t}
}

func (t *table) Inserter(*sql.Context) sql.RowInserter { return t.editor() }
func (t *table) Updater(*sql.Context) sql.RowUpdater   { return t.editor() }
func (t *table) Deleter(*sql.Context) sql.RowDeleter   { return t.editor() }

func (e *editor) check() error {
	if !e.t.gw.cfg.Writable {
		return errReadOnly
	}
	if e.t.name != "znodes" {
		return fmt.Errorf("zkgw: %s is read-only through the gateway", e.t.name)
	}
	return nil
}

// rowData is the data a row carries: data, or data_text when only that was
// given.
func rowData(r sql.Row) ([]byte, error) {
	switch d := r[colData].(type) {
	case []byte:
		if len(d) > 0 || r[colDataText] == nil {
			return d, nil
		}
	case string:
		if d != "" || r[colDataText] == nil {
			return []byte(d), nil
		}
	case nil:
	default:
		return nil, fmt.Errorf("zkgw: data must be bytes or text, got %T", d)
	}
	switch t := r[colDataText].(type) {
	case string:
		return []byte(t), nil
	case nil:
		return []byte{}, nil
	default:
		return nil, fmt.Errorf("zkgw: data_text must be text, got %T", t)
	}
}

func (e *editor) Insert(ctx *sql.Context, r sql.Row) error {
	if err := e.check(); err != nil {
		return err
	}
	path, ok := r[colPath].(string)
	if !ok {
		return errors.New("zkgw: INSERT needs a path")
	}
	if err := zkstore.ValidatePath(path, false); err != nil {
		return err
	}
	data, err := rowData(r)
	if err != nil {
		return err
	}
	mode := zkstore.ModePersistent
	if m, ok := r[colMode].(string); ok && m != "" {
		if mode, err = zkstore.ParseCreateMode(m); err != nil {
			return err
		}
		// An ephemeral would belong to the gateway's one session, not the
		// client's, and outlive the client's connection.
		if mode != zkstore.ModePersistent && mode != zkstore.ModeContainer {
			return fmt.Errorf("zkgw: mode %q is not supported through the gateway; use persistent or container", m)
		}
	}
	e.ops = append(e.ops, &zkstore.CreateOp{Path: path, Data: data, Mode: mode})
	return nil
}

func (e *editor) Update(ctx *sql.Context, old, new sql.Row) error {
	if err := e.check(); err != nil {
		return err
	}
	for i := range old {
		if i == colData || i == colDataText {
			continue
		}
		if fmt.Sprint(old[i]) != fmt.Sprint(new[i]) {
			return fmt.Errorf("zkgw: only data and data_text can be updated, not %s", e.t.schema.Schema[i].Name)
		}
	}
	// Whichever of data and data_text the statement changed wins.
	var data []byte
	if fmt.Sprint(old[colDataText]) != fmt.Sprint(new[colDataText]) {
		s, ok := new[colDataText].(string)
		if !ok {
			return errors.New("zkgw: data_text cannot be set to NULL")
		}
		data = []byte(s)
	} else {
		switch d := new[colData].(type) {
		case []byte:
			data = d
		case string:
			data = []byte(d)
		default:
			return errors.New("zkgw: data cannot be set to NULL")
		}
	}
	e.ops = append(e.ops, &zkstore.SetOp{Path: old[colPath].(string), Data: data, Version: old[colVersion].(int32)})
	return nil
}

func (e *editor) Delete(ctx *sql.Context, r sql.Row) error {
	if err := e.check(); err != nil {
		return err
	}
	e.ops = append(e.ops, &zkstore.DeleteOp{Path: r[colPath].(string), Version: r[colVersion].(int32)})
	return nil
}

func (e *editor) StatementBegin(*sql.Context) { e.ops = nil }

func (e *editor) DiscardChanges(*sql.Context, error) error {
	e.ops = nil
	return nil
}

// StatementComplete sends the statement's changes as one multi. Deletes go
// deepest first, so a statement may delete a subtree.
func (e *editor) StatementComplete(ctx *sql.Context) error {
	ops := e.ops
	e.ops = nil
	if len(ops) == 0 {
		return nil
	}
	sort.SliceStable(ops, func(i, j int) bool {
		di, iDel := ops[i].(*zkstore.DeleteOp)
		dj, jDel := ops[j].(*zkstore.DeleteOp)
		return iDel && jDel && strings.Count(di.Path, "/") > strings.Count(dj.Path, "/")
	})
	qctx, cancel := e.t.gw.queryContext(ctx)
	defer cancel()
	if _, err := e.t.gw.store.Multi(qctx, ops...); err != nil {
		if errors.Is(err, zkstore.ErrBadVersion) {
			return fmt.Errorf("zkgw: a znode changed since it was read, nothing was applied: %w", err)
		}
		return e.t.gw.storeErr(qctx, err)
	}
	return nil
}

func (e *editor) Close(*sql.Context) error { return nil }
