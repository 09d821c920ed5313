package engine

import "github.com/zksql/zksql/zkstore"

// Values the engine shares with the driver's Config; driver/engine.go
// checks at compile time that the two agree.
const (
	// DefaultMaxData is driver.DefaultMaxData: the length the data column
	// reports.
	DefaultMaxData = 1 << 20
	// RedactedPassword is what replaces a password wherever a Config or an
	// ACL is shown.
	RedactedPassword = "xxxxx"
)

// redactedPassword is RedactedPassword under the name aclspec.go uses.
const redactedPassword = RedactedPassword

// isWord reports whether s is non-empty and made of ASCII letters,
// digits, '_', '-' and '.' (as the DSN parser's isWord).
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// FormatACLSpec writes acl in the ACL spec syntax of the DSN's default_acl
// and the acls table; redact hides digest passwords.
func FormatACLSpec(acl []zkstore.ACL, redact bool) string { return formatACLSpec(acl, redact) }

// ParseACLSpec parses an ACL spec (see formatACLSpec for the syntax).
func ParseACLSpec(s string) ([]zkstore.ACL, error) { return parseACLSpec(s) }

// RedactACL returns acl with digest passwords hidden.
func RedactACL(acl []zkstore.ACL) []zkstore.ACL { return redactACL(acl) }
