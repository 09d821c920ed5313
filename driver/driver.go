package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// DriverName is the name the driver is registered under with database/sql.
const DriverName = "zookeeper"

// ZKDriver is the database/sql driver for ZooKeeper. It is registered as
// "zookeeper"; there is rarely a reason to use it directly.
type ZKDriver struct{}

func init() {
	sql.Register(DriverName, &ZKDriver{})
}

// Open opens one connection with its own ZooKeeper session, closed with the
// connection. database/sql calls OpenConnector instead, which shares one
// session among the pooled connections of a sql.DB.
func (d *ZKDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	cn, err := c.Connect(context.Background())
	if err != nil {
		c.(*connector).Close()
		return nil, err
	}
	cn.(*conn).ownsConnector = true
	return cn, nil
}

// OpenConnector parses dsn (see ParseDSN) and returns a connector whose
// connections share one ZooKeeper session.
func (d *ZKDriver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return newConnector(cfg, nil)
}
