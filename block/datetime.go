package block

import (
	"encoding/binary"
	"time"
)

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm; no time.Time needed on the UTC path).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && isLeap(y) {
		days = 29
	}
	return d <= days
}

// dtText is a parsed date-time text.
type dtText struct {
	unix       bool  // plain unix seconds in unixSec
	unixSec    int64 //
	y, mo, d   int
	h, mi, s   int
	frac       []byte // fractional-second digits, possibly empty
	hasZone    bool
	zoneOffset int // seconds east of UTC
}

// digitsAt reads exactly n digits at b[i:].
func digitsAt(b []byte, i, n int) (int, bool) {
	if i+n > len(b) {
		return 0, false
	}
	v := 0
	for _, ch := range b[i : i+n] {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		v = v*10 + int(ch-'0')
	}
	return v, true
}

// countDigits returns how many digits start at b[i:].
func countDigits(b []byte, i int) int {
	n := 0
	for i+n < len(b) && b[i+n] >= '0' && b[i+n] <= '9' {
		n++
	}
	return n
}

// parseUnix recognises "digits[.digits]" as unix seconds.
func parseUnix(b []byte, p *dtText) bool {
	n := countDigits(b, 0)
	if n == 0 || n > 12 {
		return false
	}
	if n < len(b) {
		if b[n] != '.' || countDigits(b, n+1) != len(b)-n-1 {
			return false
		}
		p.frac = b[n+1:]
	}
	v, _ := digitsAt(b, 0, n)
	p.unix, p.unixSec = true, int64(v)
	return true
}

// parseYMD reads YYYY-MM-DD (separator '-', '/' or '.') at b[*i:]; loose allows 1-digit
// months and days.
func parseYMD(b []byte, i *int, p *dtText, loose bool) bool {
	y, ok := digitsAt(b, *i, 4)
	if !ok || *i+4 >= len(b) {
		return false
	}
	sep := b[*i+4]
	if sep != '-' && sep != '/' && sep != '.' {
		return false
	}
	j := *i + 5
	read := func() (int, bool) {
		n := countDigits(b, j)
		if n != 2 && !(loose && n == 1) {
			return 0, false
		}
		v, _ := digitsAt(b, j, n)
		j += n
		return v, true
	}
	mo, ok := read()
	if !ok || j >= len(b) || b[j] != sep {
		return false
	}
	j++
	d, ok := read()
	if !ok {
		return false
	}
	p.y, p.mo, p.d = y, mo, d
	*i = j
	return true
}

// parseHMS reads hh:mm:ss[.frac] (best effort: h:mm[:ss], hhmm, hhmmss; ',' fractions).
func parseHMS(b []byte, i *int, p *dtText, loose bool) bool {
	j := *i
	n := countDigits(b, j)
	switch {
	case loose && (n == 4 || n == 6) && (j+n == len(b) || b[j+n] != ':'):
		p.h, _ = digitsAt(b, j, 2)
		p.mi, _ = digitsAt(b, j+2, 2)
		if n == 6 {
			p.s, _ = digitsAt(b, j+4, 2)
		}
		j += n
	case n == 2 || loose && n == 1:
		p.h, _ = digitsAt(b, j, n)
		j += n
		if j >= len(b) || b[j] != ':' {
			return false
		}
		var ok bool
		if p.mi, ok = digitsAt(b, j+1, 2); !ok {
			return false
		}
		j += 3
		if j < len(b) && b[j] == ':' {
			if p.s, ok = digitsAt(b, j+1, 2); !ok {
				return false
			}
			j += 3
		} else if !loose {
			return false
		}
	default:
		return false
	}
	if j < len(b) && (b[j] == '.' || loose && b[j] == ',') {
		n := countDigits(b, j+1)
		if n == 0 {
			return false
		}
		p.frac = b[j+1 : j+1+n]
		j += 1 + n
	}
	*i = j
	return true
}

// parseDateTimeBasic parses date_time_input_format='basic': "YYYY-MM-DD hh:mm:ss[.frac]"
// (a 'T' separator is tolerated), "YYYY-MM-DD", or unix seconds "digits[.frac]".
func parseDateTimeBasic(b []byte, p *dtText) bool {
	if parseDateTime19(b, p) {
		return true
	}
	if parseUnix(b, p) {
		return true
	}
	i := 0
	if !parseYMD(b, &i, p, false) {
		return false
	}
	if i == len(b) {
		return true
	}
	if b[i] != ' ' && b[i] != 'T' {
		return false
	}
	i++
	return parseHMS(b, &i, p, false) && i == len(b)
}

// parseDateTime19 is the fast path of the commonest text, "YYYY-MM-DD hh:mm:ss" (or with
// 'T'), exactly 19 bytes: fixed positions, no scanning. It fails on anything else, which
// the general path then parses (or refuses). It stores the fields of dateTime19Fields, its
// parser, in p (which it leaves alone when it fails).
func parseDateTime19(b []byte, p *dtText) bool {
	y, mo, d, h, mi, s, ok := dateTime19Fields(b)
	if ok {
		p.y, p.mo, p.d, p.h, p.mi, p.s = y, mo, d, h, mi, s
	}
	return ok
}

// dateTime19Fields parses for parseDateTime19 and returns the fields (in registers, for
// dateTime19UTC, which needs no dtText); ok is false for any text parseDateTime19 refuses.
//
// It reads the text as three little-endian words, "YYYY-MM-", "DD hh:mm" (of which only
// "DD " is used) and (overlapping) "hh:mm:ss", and XORs each with its expected form, '0'
// for a digit: a digit becomes its value 0 to 9 and a matching separator 0. One test then
// checks every byte: its high nibble is 0, and adding 6 (to a digit's) or 0xF (to a
// separator's) leaves it 0, so a digit's is at most 9 and a separator's is 0 (while every
// high nibble is 0 the additions carry into no other byte). The values are then combined
// in pairs within the words (dateTime19Pairs).
func dateTime19Fields(b []byte) (y, mo, d, h, mi, s int, ok bool) {
	if len(b) != 19 {
		return
	}
	const (
		want0 = 0x2D30302D30303030 // "YYYY-MM-"
		want1 = 0x203030           // "DD "
		want2 = 0x30303A30303A3030 // "hh:mm:ss"
		add0  = 0x0F06060F06060606 // 6 for a digit, 0xF for a separator
		add1  = 0x0F0606
		add2  = 0x06060F06060F0606
	)
	x0 := binary.LittleEndian.Uint64(b) ^ want0
	x1 := binary.LittleEndian.Uint64(b[8:])&0xFFFFFF ^ want1
	x2 := binary.LittleEndian.Uint64(b[11:]) ^ want2
	if x1>>16 == 'T'^' ' { // 'T' for ' ' after the date
		x1 &= 0xFFFF
	}
	if (x0|(x0+add0)|x1|(x1+add1)|x2|(x2+add2))&0xF0F0F0F0F0F0F0F0 != 0 {
		return
	}
	t0, t2 := dateTime19Pairs(x0), dateTime19Pairs(x2)
	y = int((t0&0xFF00FF)*(1+100<<16)>>16) & 0xFFFF // bytes 0 and 2: YY, YY
	mo, d = int(t0>>40&0xFF), int(dateTime19Pairs(x1)&0xFF)
	h, mi, s = int(t2&0xFF), int(t2>>24&0xFF), int(t2>>48&0xFF)
	return y, mo, d, h, mi, s, true
}

// dateTime19Pairs returns, in each byte i of x's bytes of values 0 to 9, 10*x[i]+x[i+1]:
// the two-digit number that starts there (at most 99, so no byte carries into the next).
func dateTime19Pairs(x uint64) uint64 { return x*10 + x>>8 }

// dateTime19UTC converts the commonest DateTime text, "YYYY-MM-DD hh:mm:ss" (or with
// 'T') of a column in UTC, of the years 1970 to 2105: the three words that
// parseDateTime19 reads are compared with the column's last text's first (a column often
// repeats a value), then with the date of the row's last text (newDateTime19UTC), and
// only then are parseDateTime19's fields (from dateTime19Fields, its parser, which takes
// and refuses the same texts) checked and converted with month tables instead of the
// general path's dtText cache, validDate and daysFromCivil. It reports false for any
// other text, which the general path then parses or refuses with its error; len(v) must be
// 19.
func (c *Col) dateTime19UTC(v []byte) (int64, bool) {
	_ = v[18]
	w0 := binary.LittleEndian.Uint64(v)
	w1 := binary.LittleEndian.Uint64(v[8:])
	w2 := binary.LittleEndian.Uint64(v[11:])
	if (w0^c.dt19.w[0])|(w1^c.dt19.w[1])|(w2^c.dt19.w[2]) == 0 {
		return c.dt19.sec, true
	}
	return c.newDateTime19UTC(v, w0, w1, w2)
}

// dt19Cache is a "YYYY-MM-DD hh:mm:ss" (or 'T') text that dateTime19UTC converted: its
// words at 0, 8 and 11, its seconds and the seconds of the start of its day.
type dt19Cache struct {
	w        [3]uint64
	sec, day int64
}

// dt19Epoch is 1970-01-01 00:00:00, what an empty dt19Cache holds: a conversion like
// any other, so that a text that matches it (or its date) has its value.
var dt19Epoch = func() dt19Cache {
	const s = "1970-01-01 00:00:00"
	return dt19Cache{w: [3]uint64{binary.LittleEndian.Uint64([]byte(s)),
		binary.LittleEndian.Uint64([]byte(s[8:])), binary.LittleEndian.Uint64([]byte(s[11:]))}}
}()

// appendDateTime19UTC is AppendText for a column whose texts dateTime19UTC converts
// (textDateTime19UTC), without appendDateTimeText's checks: dateTime19UTC, with its
// comparison with the last text inline, and the general path for a text it refuses.
// (Calling dateTime19UTC instead, which the compiler does not inline, costs ≈1% of a
// GitHub message's instructions: 7,397 → 7,475; so the tests call dateTime19UTC, and
// this copies its four lines.)
func (c *Col) appendDateTime19UTC(v []byte) error {
	if len(v) != 19 {
		return c.appendText(v)
	}
	w0 := binary.LittleEndian.Uint64(v)
	w1 := binary.LittleEndian.Uint64(v[8:])
	w2 := binary.LittleEndian.Uint64(v[11:])
	sec := c.dt19.sec
	if (w0^c.dt19.w[0])|(w1^c.dt19.w[1])|(w2^c.dt19.w[2]) != 0 {
		var ok bool
		if sec, ok = c.newDateTime19UTC(v, w0, w1, w2); !ok {
			return c.appendText(v)
		}
	}
	c.i64 = append(c.i64, sec)
	c.commit()
	return nil
}

// newDateTime19UTC is dateTime19UTC for a text other than the column's last one; w0, w1
// and w2 are its words at 0, 8 and 11. A text with the date of the row's last one
// (c.dt19Row) has that date's start plus its time (time19): the date, the same bytes as
// one that was converted, is valid, so only bytes 10 to 18 are left to check.
func (c *Col) newDateTime19UTC(v []byte, w0, w1, w2 uint64) (int64, bool) {
	r := c.dt19Row
	if w0 == r.w[0] && uint16(w1) == uint16(r.w[1]) {
		t, ok := time19(w1, w2)
		if !ok {
			return 0, false
		}
		sec := r.day + t
		c.dt19.day = r.day
		c.dt19.w, r.w = [3]uint64{w0, w1, w2}, [3]uint64{w0, w1, w2}
		c.dt19.sec, r.sec = sec, sec
		return sec, true
	}
	y, mo, day, h, mi, s, ok := dateTime19Fields(v)
	if !ok {
		return 0, false
	}
	if y < 1970 || y > 2105 || mo < 1 || mo > 12 || day < 1 || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	leap := y%4 == 0 && y != 2100 // the only century of the range is not a leap year
	days := monthDays[mo-1]
	if mo == 2 && leap {
		days++
	}
	if day > days {
		return 0, false
	}
	// Days from 1970-01-01 to January 1st of y: 365 a year, plus the leap days before y
	// (1972 is the first; 2100 is none).
	n := (y-1970)*365 + (y-1969)/4
	if y > 2100 {
		n--
	}
	n += monthStart[mo-1] + day - 1
	if leap && mo > 2 {
		n++
	}
	d := int64(n) * 86400
	sec := d + int64(h*3600+mi*60+s)
	c.dt19 = dt19Cache{w: [3]uint64{w0, w1, w2}, sec: sec, day: d}
	*r = c.dt19
	return sec, true
}

// time19 returns the seconds of the time of day of a "YYYY-MM-DD hh:mm:ss" text from
// its words at 8 (w1) and 11 (w2): byte 10 (' ' or 'T') and bytes 11 to 18, checked as
// dateTime19Fields and dateTime19UTC check them, with one branch: x10*(x10^('T'^' '))
// is 0 only for x10 = 0 or 'T'^' ', and the hours, minutes and seconds (0 to 99 once
// the digits are checked) plus 128-24, 128-60 and 128-60 reach 128 only when out of
// range, without a carry into the next byte. The seconds mean nothing when ok is false.
func time19(w1, w2 uint64) (int64, bool) {
	const (
		want2 = 0x30303A30303A3030 // "hh:mm:ss"
		add2  = 0x06060F06060F0606 // 6 for a digit, 0xF for a separator
		high  = 0xF0F0F0F0F0F0F0F0
	)
	x10 := w1>>16&0xFF ^ ' '
	x2 := w2 ^ want2
	t2 := dateTime19Pairs(x2) // hh in byte 0, mm in byte 3, ss in byte 6
	bad := x10*(x10^('T'^' ')) | (x2|(x2+add2))&high | (t2+(104|68<<24|68<<48))&(0x80|0x80<<24|0x80<<48)
	return int64(t2&0xFF*3600 + t2>>24&0xFF*60 + t2>>48&0xFF), bad == 0
}

// monthDays and monthStart are the days of each month and the days before it, in a year
// that is not a leap year.
var (
	monthDays  = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	monthStart = [12]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}
)

// parseDateTimeBestEffort parses ISO 8601 / RFC 3339 variants: a date (YYYY-MM-DD with
// '-', '/' or '.', 1-digit month/day allowed, or YYYYMMDD), an optional time after 'T' or
// spaces (hh:mm[:ss][.frac], or hhmm[ss] after 'T'), and an optional zone (Z, UTC, GMT,
// ±hh, ±hhmm, ±hh:mm). Digits alone are YYYYMMDD (8), YYYYMMDDhhmmss (14) or unix seconds.
func parseDateTimeBestEffort(b []byte, p *dtText) bool {
	n := countDigits(b, 0)
	i := 0
	switch {
	case n == 14:
		p.y, _ = digitsAt(b, 0, 4)
		p.mo, _ = digitsAt(b, 4, 2)
		p.d, _ = digitsAt(b, 6, 2)
		p.h, _ = digitsAt(b, 8, 2)
		p.mi, _ = digitsAt(b, 10, 2)
		p.s, _ = digitsAt(b, 12, 2)
		i = 14
		if i < len(b) && (b[i] == '.' || b[i] == ',') {
			m := countDigits(b, i+1)
			if m == 0 {
				return false
			}
			p.frac = b[i+1 : i+1+m]
			i += 1 + m
		}
	case n == 8:
		p.y, _ = digitsAt(b, 0, 4)
		p.mo, _ = digitsAt(b, 4, 2)
		p.d, _ = digitsAt(b, 6, 2)
		i = 8
	case n == 4:
		if !parseYMD(b, &i, p, true) {
			return false
		}
	default:
		return parseUnix(b, p)
	}
	if i < len(b) && (b[i] == 'T' || b[i] == 't' || b[i] == ' ') {
		j := i + 1
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			if !parseHMS(b, &j, p, true) {
				return false
			}
			i = j
		}
	}
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i < len(b) {
		if !parseZone(b[i:], p) {
			return false
		}
		i = len(b)
	}
	return i == len(b)
}

// parseZone parses a whole zone designator: Z, UTC, GMT, ±hh, ±hhmm, ±hh:mm.
func parseZone(b []byte, p *dtText) bool {
	switch string(b) {
	case "Z", "z", "UTC", "GMT":
		p.hasZone, p.zoneOffset = true, 0
		return true
	}
	if b[0] != '+' && b[0] != '-' {
		return false
	}
	h, ok := digitsAt(b, 1, 2)
	if !ok {
		return false
	}
	m := 0
	switch rest := b[3:]; {
	case len(rest) == 0:
	case len(rest) == 2:
		if m, ok = digitsAt(rest, 0, 2); !ok {
			return false
		}
	case len(rest) == 3 && rest[0] == ':':
		if m, ok = digitsAt(rest, 1, 2); !ok {
			return false
		}
	default:
		return false
	}
	if h > 14 || m > 59 {
		return false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	p.hasZone, p.zoneOffset = true, off
	return true
}

// seconds returns the unix seconds of p read in the column's zone.
func (c *Col) seconds(p *dtText) (int64, bool) {
	if p.unix {
		return p.unixSec, true
	}
	if !validDate(p.y, p.mo, p.d) || p.h > 23 || p.mi > 59 || p.s > 59 {
		return 0, false
	}
	if p.hasZone || c.loc == time.UTC {
		return daysFromCivil(p.y, p.mo, p.d)*86400 + int64(p.h*3600+p.mi*60+p.s-p.zoneOffset), true
	}
	return time.Date(p.y, time.Month(p.mo), p.d, p.h, p.mi, p.s, 0, c.loc).Unix(), true
}

// maxCachedDateTime bounds the texts a DateTime column remembers (see Col.dtText): the
// longest 'basic' or best-effort forms are well within it.
const maxCachedDateTime = 40

func (c *Col) appendDateTimeText(v []byte) error {
	if c.locErr != nil {
		return &ValueError{Column: c.name, Type: c.typ.String(), Reason: "cannot be set: " + c.locErr.Error(), Err: c.locErr}
	}
	if c.dtText != nil && len(v) == len(c.dtText) && equalShort(v, c.dtText) {
		c.i64 = append(c.i64, c.dtSec)
		c.commit()
		return nil
	}
	var p dtText
	var ok bool
	if c.opts.DateTimeBestEffort {
		ok = parseDateTimeBestEffort(v, &p)
	} else {
		ok = parseDateTimeBasic(v, &p)
	}
	var sec int64
	if ok {
		sec, ok = c.seconds(&p)
	}
	if !ok {
		if c.opts.DateTimeBestEffort {
			return c.textErr(v, "is not a date-time")
		}
		return c.textErr(v, "is not a date-time (YYYY-MM-DD hh:mm:ss or unix seconds; date_time_input_format='best_effort' reads ISO 8601)")
	}
	if c.kind == DateTime {
		// Fractional seconds are dropped, as ClickHouse does for DateTime.
		if sec < 0 || sec > maxDT {
			return c.textErr(v, "out of range")
		}
		if len(v) <= maxCachedDateTime {
			c.dtText, c.dtSec = append(c.dtText[:0], v...), sec
		}
		c.i64 = append(c.i64, sec)
		c.commit()
		return nil
	}
	// DateTime64: keep at most Precision fraction digits (the rest is truncated, as
	// ClickHouse does), expressed in the Arrow unit.
	var sub int64
	prec := c.base.Precision
	k := min(len(p.frac), prec)
	for _, ch := range p.frac[:k] {
		sub = sub*10 + int64(ch-'0')
	}
	sub *= pow10i64[c.unitExp-k]
	unit := pow10i64[c.unitExp]
	if sec < minDT64Sec || sec > maxDT64Sec || sec > (1<<63-1-sub)/unit || sec < -(1<<63)/unit {
		return c.textErr(v, "out of range")
	}
	c.i64 = append(c.i64, sec*unit+sub)
	c.commit()
	return nil
}

func (c *Col) appendDateText(v []byte) error {
	var days int64
	switch n := countDigits(v, 0); {
	case n == 4 && len(v) == 10:
		var p dtText
		i := 0
		if !parseYMD(v, &i, &p, false) || !validDate(p.y, p.mo, p.d) {
			return c.textErr(v, "is not a date (YYYY-MM-DD)")
		}
		days = daysFromCivil(p.y, p.mo, p.d)
	case n == 8 && len(v) == 8:
		y, _ := digitsAt(v, 0, 4)
		m, _ := digitsAt(v, 4, 2)
		d, _ := digitsAt(v, 6, 2)
		if !validDate(y, m, d) {
			return c.textErr(v, "is not a date (YYYY-MM-DD)")
		}
		days = daysFromCivil(y, m, d)
	default:
		x, st := parseInt(v)
		if st != parseOK || len(v) > 8 {
			return c.textErr(v, "is not a date (YYYY-MM-DD)")
		}
		days = x
	}
	if c.kind == Date && (days < 0 || days > maxDate) || days < minDate32 || days > maxDate32 {
		return c.textErr(v, "out of range")
	}
	c.i32 = append(c.i32, int32(days))
	c.commit()
	return nil
}
