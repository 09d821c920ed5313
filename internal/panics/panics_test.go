package panics

import (
	"errors"
	"strings"
	"testing"
)

func boundary() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = New("test", r)
		}
	}()
	var m map[string]int
	m["x"] = 1 // a runtime error: assignment to entry in nil map
	return nil
}

func TestRecoveredPanicKeepsStackAndIsCounted(t *testing.T) {
	before := len(Recovered())
	err := boundary()
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, ErrInternal) {
		t.Fatalf("err = %v, want an *Error matching ErrInternal", err)
	}
	if !strings.Contains(string(pe.Stack), "panics.boundary") {
		t.Errorf("stack does not show where it panicked:\n%s", pe.Stack)
	}
	if !strings.Contains(err.Error(), "assignment to entry in nil map") || strings.Contains(err.Error(), "goroutine ") {
		t.Errorf("message = %q: it names the panic and leaves the stack out", err)
	}
	if len(Recovered()) != before+1 {
		t.Fatalf("the panic was not recorded")
	}
	if Check(0) != 1 {
		t.Errorf("Check passed a run with a recovered panic")
	}
	// This test's own panic is deliberate: forget it, so the package's
	// run is judged on the others.
	Forget(pe)
	if Check(0) != 0 {
		t.Errorf("Check failed a run without recovered panics")
	}
}
