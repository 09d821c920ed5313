package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// mariadbAs runs the mariadb client as user with password; it returns the
// client's error output.
func mariadbAs(t *testing.T, gw *testGateway, user, password string) (string, error) {
	t.Helper()
	bin := requireTool(t, "mariadb", "mariadb", "mysql")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--batch", "--protocol=TCP", "-h", gw.host, "-P", gw.port,
		"-u", user, "zookeeper", "-e", "SELECT 1")
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return strings.TrimSpace(stderr.String()), err
}

// goDriverAs connects with the Go MySQL driver and returns its error.
func goDriverAs(t *testing.T, gw *testGateway, user, password string) error {
	t.Helper()
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = user, password, "tcp", gw.addr, "zookeeper"
	cfg.Timeout = 30 * time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// TestUnknownUserLooksLikeWrongPassword: an account name that does not
// exist gets exactly the answer a wrong password gets (MySQL's 1045
// Access denied, after the password exchange), from the mariadb client
// and from the Go driver alike, so a prober learns nothing about which
// names exist; the right user and password still get in.
func TestUnknownUserLooksLikeWrongPassword(t *testing.T) {
	gw := startGateway(t, memStore(t), nil)

	// The Go driver: the same MySQL error number and state, and the same
	// message but for the name.
	var wrongPW, unknown, unknownNoPW *gomysql.MySQLError
	if !errors.As(goDriverAs(t, gw, testUser, "wrong-"+gw.password), &wrongPW) {
		t.Fatal("Go driver, wrong password: no MySQL error")
	}
	if !errors.As(goDriverAs(t, gw, "nobody_here", gw.password), &unknown) {
		t.Fatal("Go driver, unknown user: no MySQL error")
	}
	if !errors.As(goDriverAs(t, gw, "nobody_here", ""), &unknownNoPW) {
		t.Fatal("Go driver, unknown user without a password: no MySQL error")
	}
	if wrongPW.Number != 1045 || !strings.HasPrefix(wrongPW.Message, "Access denied for user '"+testUser+"'") {
		t.Errorf("wrong password: %v, want 1045 Access denied", wrongPW)
	}
	for _, e := range []*gomysql.MySQLError{unknown, unknownNoPW} {
		if e.Number != wrongPW.Number || e.SQLState != wrongPW.SQLState ||
			strings.Replace(e.Message, "nobody_here", testUser, 1) != wrongPW.Message {
			t.Errorf("unknown user: %d %s %q; wrong password: %d %s %q", e.Number, e.SQLState, e.Message, wrongPW.Number, wrongPW.SQLState, wrongPW.Message)
		}
	}
	if err := goDriverAs(t, gw, testUser, gw.password); err != nil {
		t.Errorf("Go driver, right password: %v", err)
	}

	// The mariadb client: the same line on stderr but for the name.
	wrongOut, err := mariadbAs(t, gw, testUser, "wrong-"+gw.password)
	if err == nil || !strings.Contains(wrongOut, "1045") || !strings.Contains(wrongOut, "Access denied for user '"+testUser+"'") {
		t.Fatalf("mariadb, wrong password: %v: %s", err, wrongOut)
	}
	for _, pw := range []string{gw.password, "wrong-" + gw.password, ""} {
		out, err := mariadbAs(t, gw, "nobody_here", pw)
		if err == nil || strings.Replace(out, "nobody_here", testUser, 1) != wrongOut {
			t.Errorf("mariadb, unknown user: %v\n%s\nwant as for a wrong password:\n%s", err, out, wrongOut)
		}
	}
	if out, err := mariadbAs(t, gw, testUser, gw.password); err != nil {
		t.Errorf("mariadb, right password: %v: %s", err, out)
	}
}
