package eval

import (
	"time"
)

// parseDatetime parses the DATETIME literal forms MySQL accepts, in UTC:
//
//	YYYY-MM-DD[( |T)hh:mm[:ss[.fraction]]][Z|(+|-)hh:mm]
//	YYYYMMDD[hhmmss[.fraction]]  YYMMDD[hhmmss]
//
// Any punctuation character may separate the date and time parts
// ("2026/01/02 03.04.05"); parts may have one digit; two-digit years mean
// 1970-2069. The value must denote a real calendar date and time.
func parseDatetime(s string) (time.Time, bool) {
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	if s == "" {
		return time.Time{}, false
	}
	allDigits := true
	dot := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '.' && dot < 0 {
			dot = i
			continue
		}
		if !isDigit(s[i]) {
			allDigits = false
			break
		}
	}
	if allDigits {
		return parseCompactDatetime(s, dot)
	}
	return parseDelimitedDatetime(s)
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func parseCompactDatetime(s string, dot int) (time.Time, bool) {
	frac := ""
	if dot >= 0 {
		frac = s[dot+1:]
		s = s[:dot]
	}
	var y, mo, d, h, mi, sec int
	switch len(s) {
	case 14, 8:
		y, mo, d = atoiDigits(s[0:4]), atoiDigits(s[4:6]), atoiDigits(s[6:8])
		s = s[8:]
	case 12, 6:
		y, mo, d = twoDigitYear(atoiDigits(s[0:2])), atoiDigits(s[2:4]), atoiDigits(s[4:6])
		s = s[6:]
	default:
		return time.Time{}, false
	}
	if len(s) == 6 {
		h, mi, sec = atoiDigits(s[0:2]), atoiDigits(s[2:4]), atoiDigits(s[4:6])
	} else if frac != "" {
		return time.Time{}, false
	}
	ns, ok := parseFraction(frac)
	if !ok {
		return time.Time{}, false
	}
	return makeTime(y, mo, d, h, mi, sec, ns, 0)
}

func twoDigitYear(y int) int {
	if y < 70 {
		return 2000 + y
	}
	return 1900 + y
}

// parseFraction converts up to 9 fractional digits to nanoseconds.
func parseFraction(f string) (int, bool) {
	if len(f) > 9 {
		return 0, false
	}
	ns := 0
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(f) {
			if !isDigit(f[i]) {
				return 0, false
			}
			ns += int(f[i] - '0')
		}
	}
	return ns, true
}

func isPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !isDigit(c) && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')
}

// number reads 1 to max digits at s[*i:].
func readNum(s string, i *int, max int) (int, bool) {
	start := *i
	for *i < len(s) && *i-start < max && isDigit(s[*i]) {
		*i++
	}
	if *i == start {
		return 0, false
	}
	return atoiDigits(s[start:*i]), true
}

func parseDelimitedDatetime(s string) (time.Time, bool) {
	i := 0
	start := i
	y, ok := readNum(s, &i, 4)
	if !ok {
		return time.Time{}, false
	}
	if i-start <= 2 {
		y = twoDigitYear(y)
	}
	var parts [2]int
	for k := range parts {
		if i >= len(s) || !isPunct(s[i]) {
			return time.Time{}, false
		}
		i++
		if parts[k], ok = readNum(s, &i, 2); !ok {
			return time.Time{}, false
		}
	}
	mo, d := parts[0], parts[1]
	var h, mi, sec, ns, offset int
	if i < len(s) {
		if s[i] != ' ' && s[i] != 'T' {
			return time.Time{}, false
		}
		for i < len(s) && (s[i] == ' ' || s[i] == 'T') {
			i++
		}
		if h, ok = readNum(s, &i, 2); !ok {
			return time.Time{}, false
		}
		if i >= len(s) || !isPunct(s[i]) {
			return time.Time{}, false
		}
		i++
		if mi, ok = readNum(s, &i, 2); !ok {
			return time.Time{}, false
		}
		if i < len(s) && isPunct(s[i]) && s[i] != '+' && s[i] != '-' {
			i++
			if sec, ok = readNum(s, &i, 2); !ok {
				return time.Time{}, false
			}
			if i < len(s) && s[i] == '.' {
				i++
				fs := i
				for i < len(s) && isDigit(s[i]) {
					i++
				}
				if ns, ok = parseFraction(s[fs:i]); !ok {
					return time.Time{}, false
				}
			}
		}
		if i < len(s) {
			if offset, ok = parseOffset(s[i:]); !ok {
				return time.Time{}, false
			}
			i = len(s)
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	return makeTime(y, mo, d, h, mi, sec, ns, offset)
}

// parseOffset parses Z or +hh:mm / -hh:mm (MySQL 8.0.19 accepts time zone
// offsets in datetime literals) and returns the offset in seconds.
func parseOffset(s string) (int, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
		!isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[4]) || !isDigit(s[5]) {
		return 0, false
	}
	h, m := atoiDigits(s[1:3]), atoiDigits(s[4:6])
	if h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

func makeTime(y, mo, d, h, mi, sec, ns, offset int) (time.Time, bool) {
	if y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // e.g. February 30th
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
