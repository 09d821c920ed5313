// Package panics turns a panic recovered at an API boundary into an error
// that keeps the panic's value and stack, and counts it, so that a bug
// never takes a user's process down, never loses its stack, and never goes
// unnoticed in a test run (each package's TestMain calls Check).
package panics

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// ErrInternal matches every *Error: errors.Is(err, ErrInternal).
var ErrInternal = errors.New("zksql: internal error")

// Error is a recovered panic: a bug in zksql.
type Error struct {
	Where string // the API boundary that recovered it: "driver", "parser", "eval"
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, from debug.Stack
}

// Error names the panic; the stack is in Stack, not in the message, which
// people and logs read.
func (e *Error) Error() string {
	return fmt.Sprintf("zksql: internal error in %s: %v (a bug in zksql: the stack is in the error's Stack field; please report it)", e.Where, e.Value)
}

func (e *Error) Is(target error) bool { return target == ErrInternal }

// Unwrap gives the panic value when it is an error (a runtime error, say).
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

var (
	mu        sync.Mutex
	recovered []*Error
)

// maxKept bounds how many recovered panics are kept for Check.
const maxKept = 16

// New makes the Error for a value just recovered (call it in the deferred
// function that called recover, so the stack is the panic's) and records
// it for Check.
func New(where string, value any) *Error {
	e := &Error{Where: where, Value: value, Stack: debug.Stack()}
	mu.Lock()
	if len(recovered) < maxKept {
		recovered = append(recovered, e)
	}
	mu.Unlock()
	return e
}

// Recovered returns the panics recovered so far in this process (at most
// the first 16).
func Recovered() []*Error {
	mu.Lock()
	defer mu.Unlock()
	return append([]*Error(nil), recovered...)
}

// Forget drops e from the recorded panics: for a test whose panic is
// deliberate (one that checks the recovery itself).
func Forget(e *Error) {
	mu.Lock()
	defer mu.Unlock()
	for i, r := range recovered {
		if r == e {
			recovered = append(recovered[:i], recovered[i+1:]...)
			return
		}
	}
}

// Check is for TestMain: given m.Run's exit code, it prints every panic
// recovered during the tests with its stack and turns a passing run into
// a failing one, since a recovered panic is a bug even when the test that
// met it only looked at the error.
func Check(code int) int {
	r := Recovered()
	if len(r) == 0 {
		return code
	}
	for _, e := range r {
		fmt.Fprintf(os.Stderr, "recovered panic: %v\n%s\n", e, e.Stack)
	}
	fmt.Fprintf(os.Stderr, "FAIL: %d panic(s) recovered during the tests\n", len(r))
	if code == 0 {
		code = 1
	}
	return code
}
