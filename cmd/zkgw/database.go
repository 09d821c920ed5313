package main

import (
	"errors"
	"slices"
	"strings"

	"github.com/dolthub/go-mysql-server/sql"
)

// database holds znodes and acls. It answers the view and trigger
// interfaces with "none": once user accounts are enabled, go-mysql-server
// v0.20.0 asks every database for its views and triggers (SHOW FULL TABLES,
// information_schema) and fails the query if the database cannot say.
type database struct {
	name   string
	tables map[string]*table
	// system holds the read-only system tables (systables.go).
	system map[string]*sysTable
}

var (
	_ sql.Database                = (*database)(nil)
	_ sql.ViewDatabase            = (*database)(nil)
	_ sql.TriggerDatabase         = (*database)(nil)
	_ sql.StoredProcedureDatabase = (*database)(nil)
)

// errNoDDL refuses views, triggers and procedures: the database is ZooKeeper's
// tree, and nothing else is stored.
var errNoDDL = errors.New("zkgw: views, triggers and procedures cannot be created here")

func (d *database) Name() string { return d.name }

func (d *database) GetTableInsensitive(_ *sql.Context, name string) (sql.Table, bool, error) {
	t, ok := d.tables[strings.ToLower(name)]
	if !ok {
		if s, ok := d.system[strings.ToLower(name)]; ok {
			return s, true, nil
		}
		return nil, false, nil
	}
	return t, true, nil
}

func (d *database) GetTableNames(*sql.Context) ([]string, error) {
	names := []string{"acls", "znodes"}
	for n := range d.system {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

func (d *database) CreateView(*sql.Context, string, string, string) error {
	return errNoDDL
}
func (d *database) DropView(_ *sql.Context, name string) error {
	return sql.ErrViewDoesNotExist.New(d.name, name)
}
func (d *database) GetViewDefinition(*sql.Context, string) (sql.ViewDefinition, bool, error) {
	return sql.ViewDefinition{}, false, nil
}
func (d *database) AllViews(*sql.Context) ([]sql.ViewDefinition, error) { return nil, nil }

func (d *database) GetTriggers(*sql.Context) ([]sql.TriggerDefinition, error) { return nil, nil }
func (d *database) CreateTrigger(*sql.Context, sql.TriggerDefinition) error {
	return errNoDDL
}
func (d *database) DropTrigger(_ *sql.Context, name string) error {
	return sql.ErrTriggerDoesNotExist.New(name)
}

func (d *database) GetStoredProcedure(*sql.Context, string) (sql.StoredProcedureDetails, bool, error) {
	return sql.StoredProcedureDetails{}, false, nil
}
func (d *database) GetStoredProcedures(*sql.Context) ([]sql.StoredProcedureDetails, error) {
	return nil, nil
}
func (d *database) SaveStoredProcedure(*sql.Context, sql.StoredProcedureDetails) error {
	return errNoDDL
}
func (d *database) DropStoredProcedure(_ *sql.Context, name string) error {
	return sql.ErrStoredProcedureDoesNotExist.New(name)
}

// provider serves the one database plus information_schema (added by the
// engine's catalog).
type provider struct{ db *database }

var _ sql.DatabaseProvider = (*provider)(nil)

func (p *provider) Database(_ *sql.Context, name string) (sql.Database, error) {
	if strings.EqualFold(name, p.db.name) {
		return p.db, nil
	}
	return nil, sql.ErrDatabaseNotFound.New(name)
}

func (p *provider) HasDatabase(_ *sql.Context, name string) bool {
	return strings.EqualFold(name, p.db.name)
}

func (p *provider) AllDatabases(*sql.Context) []sql.Database { return []sql.Database{p.db} }
