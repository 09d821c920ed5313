package eval

import (
	"os"
	"testing"

	"github.com/zksql/zksql/internal/panics"
)

// TestMain fails the run if a panic was recovered at the package's API
// boundary during the tests: the recover keeps users' processes alive, not
// bugs hidden.
func TestMain(m *testing.M) { os.Exit(panics.Check(m.Run())) }
