package block

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// Ranges of the date and time types (ClickHouse's).
const (
	maxDate    = 65535          // Date: 1970-01-01 .. 2149-06-06, days as UInt16
	minDate32  = -25567         // Date32: 1900-01-01 ..
	maxDate32  = 120529         // .. 2299-12-31
	maxDT      = math.MaxUint32 // DateTime: unix seconds as UInt32 (.. 2106-02-07 06:28:15)
	minDT64Sec = -2208988800    // DateTime64: 1900-01-01 00:00:00 ..
	maxDT64Sec = 10413791999    // .. 2299-12-31 23:59:59 (and what fits the Arrow unit)
)

var pow10i64 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// bytesString views b as a string without copying; the string must not outlive b's contents.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// AppendInt appends the integer v. It converts to integer types (range-checked), floats,
// Bool (0 or 1 only), Decimal (v scaled by 10^S, checked against the precision), Enum (v
// must be a declared value), Date and Date32 (days since 1970-01-01), DateTime (unix
// seconds), DateTime64(P) (ticks of 10^-P seconds) and String/FixedString (decimal text).
// Other types and out-of-range values give a [*ValueError].
func (c *Col) AppendInt(v int64) error {
	switch c.kind {
	case Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64:
		if v < c.imin || v > c.imax {
			return c.intRangeErr(v)
		}
		// The commonest integer columns without pushInt's call and jump table.
		switch c.kind {
		case UInt32:
			c.u32 = append(c.u32, uint32(v))
		case UInt64:
			c.u64 = append(c.u64, uint64(v))
		case Int64:
			c.i64 = append(c.i64, v)
		default:
			c.pushInt(v)
		}
	case Float32, Float64:
		c.pushInt(v)
	case Bool:
		if v != 0 && v != 1 {
			return c.valueErr(strconv.FormatInt(v, 10), "is not a boolean (0 or 1)")
		}
		c.pushInt(v)
	case String, FixedString:
		c.scratch = strconv.AppendInt(c.scratch[:0], v, 10)
		return c.appendBytes(c.scratch)
	case Date:
		if v < 0 || v > maxDate {
			return c.intRangeErr(v)
		}
		c.pushInt(v)
	case Date32:
		if v < minDate32 || v > maxDate32 {
			return c.intRangeErr(v)
		}
		c.pushInt(v)
	case DateTime:
		if v < 0 || v > maxDT {
			return c.intRangeErr(v)
		}
		c.pushInt(v)
	case DateTime64:
		// v counts 10^-P s; the Arrow unit may be finer (P=2 is stored in ms).
		mul := pow10i64[c.unitExp-c.base.Precision]
		if v > math.MaxInt64/mul || v < math.MinInt64/mul {
			return c.intRangeErr(v)
		}
		t := v * mul
		unit := pow10i64[c.unitExp]
		sec := t / unit
		if t%unit < 0 {
			sec--
		}
		if sec < minDT64Sec || sec > maxDT64Sec {
			return c.intRangeErr(v)
		}
		c.i64 = append(c.i64, t)
	case Decimal:
		var m u256
		neg := v < 0
		m[0] = uint64(v)
		if neg {
			m[0] = -uint64(v)
		}
		if !c.pushDecimal(m, neg, c.base.Scale) {
			return c.intRangeErr(v)
		}
	case Enum8, Enum16:
		pos, ok := int32(0), false
		if v >= math.MinInt16 && v <= math.MaxInt16 {
			pos, ok = c.enumByValue[int16(v)]
		}
		if !ok {
			return c.valueErr(strconv.FormatInt(v, 10), "is not a value of the enum")
		}
		c.pushInt(int64(pos))
	default:
		return c.noConversion("an integer")
	}
	c.commit()
	return nil
}

// AppendUint appends the unsigned integer v, converting like [Col.AppendInt].
func (c *Col) AppendUint(v uint64) error {
	if v <= math.MaxInt64 {
		return c.AppendInt(int64(v))
	}
	switch c.kind {
	case UInt64:
		c.u64 = append(c.u64, v)
	case Float32, Float64:
		c.pushFloat(float64(v))
	case String, FixedString:
		c.scratch = strconv.AppendUint(c.scratch[:0], v, 10)
		return c.appendBytes(c.scratch)
	case Decimal:
		if !c.pushDecimal(u256{v}, false, c.base.Scale) {
			return c.valueErr(strconv.FormatUint(v, 10), "out of range")
		}
	case UUID, Array, Map, Tuple:
		return c.noConversion("an integer")
	default:
		return c.valueErr(strconv.FormatUint(v, 10), "out of range")
	}
	c.commit()
	return nil
}

func (c *Col) pushFloat(v float64) {
	if c.rep == repF32 {
		c.f32 = append(c.f32, float32(v))
	} else {
		c.f64 = append(c.f64, v)
	}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// AppendFloat appends the float v. It converts to floats (Float32 fails beyond its range;
// NaN and ±Inf are kept), to integer types, Date, Date32 and Enum only when v is integral
// and in range, to Bool (0 or 1), Decimal (rounded half away from zero to the scale),
// DateTime (unix seconds, fraction dropped), DateTime64 (unix seconds, rounded to the
// precision) and String/FixedString (shortest text). Other types give a [*ValueError].
func (c *Col) AppendFloat(v float64) error {
	switch c.kind {
	case Float32:
		if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
			return c.valueErr(formatFloat(v), "out of range")
		}
		c.f32 = append(c.f32, float32(v))
	case Float64:
		c.f64 = append(c.f64, v)
	case Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Date, Date32, Enum8, Enum16:
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			return c.valueErr(formatFloat(v), "is not an integer")
		}
		switch {
		case v >= 0x1p63 && v < 0x1p64:
			return c.AppendUint(uint64(v))
		case v >= 0x1p63 || v < -0x1p63:
			return c.valueErr(formatFloat(v), "out of range")
		}
		return c.AppendInt(int64(v))
	case Bool:
		if v != 0 && v != 1 {
			return c.valueErr(formatFloat(v), "is not a boolean (0 or 1)")
		}
		c.bools = append(c.bools, v == 1)
	case String, FixedString:
		c.scratch = strconv.AppendFloat(c.scratch[:0], v, 'g', -1, 64)
		return c.appendBytes(c.scratch)
	case DateTime:
		if math.IsNaN(v) || v < 0 || v >= maxDT+1 {
			return c.valueErr(formatFloat(v), "out of range")
		}
		return c.AppendInt(int64(v))
	case DateTime64:
		t := math.Round(v * float64(pow10i64[c.base.Precision]))
		if math.IsNaN(t) || t >= 0x1p63 || t < -0x1p63 {
			return c.valueErr(formatFloat(v), "out of range")
		}
		return c.AppendInt(int64(t))
	case Decimal:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return c.valueErr(formatFloat(v), "out of range")
		}
		// The shortest decimal text of v avoids binary artefacts (0.1*100 != 10).
		c.scratch = strconv.AppendFloat(c.scratch[:0], v, 'e', -1, 64)
		return c.appendDecimalText(c.scratch)
	default:
		return c.noConversion("a float")
	}
	c.commit()
	return nil
}

// AppendBool appends the boolean v: to Bool, to integer, float and Decimal types as 0/1,
// and to String/FixedString as "true"/"false". Other types give a [*ValueError].
func (c *Col) AppendBool(v bool) error {
	switch c.kind {
	case Bool:
		c.bools = append(c.bools, v)
	case Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64, Decimal:
		if v {
			return c.AppendInt(1)
		}
		return c.AppendInt(0)
	case String, FixedString:
		c.scratch = strconv.AppendBool(c.scratch[:0], v)
		return c.appendBytes(c.scratch)
	default:
		return c.noConversion("a boolean")
	}
	c.commit()
	return nil
}

// AppendText appends v given in ClickHouse's text form for the column's type; v is copied
// and not retained:
//
//   - String: the bytes verbatim (no UTF-8 validation); FixedString(N): at most N bytes,
//     zero-padded.
//   - Integers: decimal digits with an optional sign (JSON's quoted numbers arrive here).
//   - Float32/Float64: decimal or exponent notation, inf, -inf, nan.
//   - Bool: true/false, 1/0, yes/no, on/off, t/f, y/n, enable/disable (any case).
//   - Date, Date32: YYYY-MM-DD (also YYYYMMDD, or a day number).
//   - DateTime, DateTime64: per [Options.DateTimeBestEffort]; local times are in the
//     column's time zone; DateTime64 fraction digits beyond the precision are truncated.
//   - Decimal: "-123.45" (exponent allowed), rounded half away from zero to the scale; too
//     many digits for the precision is an error.
//   - UUID: canonical 36-character text (or 32 hex digits).
//   - Enum: a declared name, or a declared value as digits.
//   - LowCardinality(T), Nullable(T): as T. "\N" and "NULL" are not NULL here: formats
//     decide NULL and call [Col.AppendNull].
//   - Array, Map, Tuple: ClickHouse's literal form, e.g. [1, 2], {'k': [NULL]},
//     (1, 'a'), strings in single (or double) quotes with backslash escapes, NULL bare.
//
// Invalid text gives a [*ValueError] quoting it.
func (c *Col) AppendText(v []byte) error {
	switch c.text {
	case textStr:
		// String and LowCardinality(String), the commonest text columns, without the
		// type switch and the call; an empty one, the commonest LowCardinality value
		// (absent fields), without a copy; one of 4 to 32 bytes copied in words into
		// c.bin's spare capacity rather than by memmove, whose size classes cost a call
		// and several branches. From 8 bytes on the words at 0, o1 = min(8, n-8),
		// o2 = max(n-16, 0) and n-8 cover v without a branch on its length (up to 16 bytes
		// the middle two repeat the outer two); below 8, two words of four. Every load
		// is within v and every store within the room checked, where the bytes written
		// past the value are v's own and lie beyond len(c.bin).
		if n, l := len(v), len(c.bin); n != 0 {
			if uint(n-4) <= 32-4 && cap(c.bin)-l >= 32 {
				d, p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(c.bin)), l), unsafe.Pointer(unsafe.SliceData(v))
				if n >= 8 {
					// max and min without a branch (the compiler's are branches here).
					o2 := (n - 16) &^ ((n - 16) >> 63)
					o1 := n - 8 - o2
					w0, w1, w2, w3 := word64(p, 0), word64(p, o1), word64(p, o2), word64(p, n-8)
					putWord64(d, 0, w0)
					putWord64(d, o1, w1)
					putWord64(d, o2, w2)
					putWord64(d, n-8, w3)
				} else {
					w0, w1 := word32(p, 0), word32(p, n-4)
					putWord32(d, 0, w0)
					putWord32(d, n-4, w1)
				}
				c.bin = c.bin[:l+n]
			} else {
				c.bin = append(c.bin, v...)
			}
		}
		c.offs = append(c.offs, int32(len(c.bin)))
		c.commit()
		return nil
	case textDateTime19UTC:
		return c.appendDateTime19UTC(v)
	case textEnum:
		return c.appendEnumText(v)
	}
	return c.appendText(v)
}

// appendEnumText is AppendText for an Enum column: a declared name, appended without the
// type switch, or else the general path (a value as digits, or the error).
func (c *Col) appendEnumText(v []byte) error {
	pos, ok := c.enumByName.lookup(v)
	if !ok {
		return c.appendText(v)
	}
	if c.rep == repI8 {
		c.i8 = append(c.i8, int8(pos))
	} else {
		c.pushInt(int64(pos))
	}
	c.commit()
	return nil
}

// appendText is AppendText for the columns that do not store strings.
func (c *Col) appendText(v []byte) error {
	switch c.kind {
	case Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32:
		x, st := parseInt(v)
		if st != parseOK {
			return c.numTextErr(v, st, "is not an integer")
		}
		return c.AppendInt(x)
	case UInt64:
		x, st := parseUint(v)
		if st != parseOK {
			return c.numTextErr(v, st, "is not an integer")
		}
		c.u64 = append(c.u64, x)
	case Float32, Float64:
		bits := 64
		if c.kind == Float32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(bytesString(v), bits)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return c.textErr(v, "out of range")
			}
			return c.textErr(v, "is not a number")
		}
		c.pushFloat(f)
	case Bool:
		b, ok := parseBoolText(v)
		if !ok {
			return c.textErr(v, "is not a boolean (true/false/1/0)")
		}
		c.bools = append(c.bools, b)
	case String, FixedString:
		return c.appendBytes(v)
	case Date, Date32:
		return c.appendDateText(v)
	case DateTime, DateTime64:
		return c.appendDateTimeText(v)
	case Decimal:
		return c.appendDecimalText(v)
	case UUID:
		n := len(c.bin)
		c.bin = appendZeros(c.bin, 16)
		if !parseUUID(c.bin[n:], v) {
			c.bin = c.bin[:n]
			return c.textErr(v, "is not a UUID")
		}
	case Enum8, Enum16:
		if pos, ok := c.enumByName.lookup(v); ok {
			c.pushInt(int64(pos))
			break
		}
		if x, st := parseInt(v); st == parseOK {
			return c.AppendInt(x)
		}
		return c.textErr(v, "is not a name of the enum")
	case Array, Map, Tuple:
		return c.appendLiteral(v)
	}
	c.commit()
	return nil
}

// word64, putWord64, word32 and putWord32 load and store the little-endian word at
// p+i, unchecked: the caller proves the bytes in bounds.
func word64(p unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
}

func putWord64(p unsafe.Pointer, i int, w uint64) {
	binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(p, i))[:], w)
}

func word32(p unsafe.Pointer, i int) uint32 {
	return binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(p, i))[:])
}

func putWord32(p unsafe.Pointer, i int, w uint32) {
	binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(p, i))[:], w)
}

func (c *Col) numTextErr(v []byte, st parseStatus, syntax string) error {
	if st == parseRange {
		return c.textErr(v, "out of range")
	}
	return c.textErr(v, syntax)
}

// appendBytes appends a String or FixedString value.
func (c *Col) appendBytes(v []byte) error {
	if c.rep == repFixed {
		if len(v) > c.width {
			return c.textErr(v, "is longer than "+strconv.Itoa(c.width)+" bytes")
		}
		c.bin = append(c.bin, v...)
		c.bin = appendZeros(c.bin, c.width-len(v))
	} else {
		c.bin = append(c.bin, v...)
		c.offs = append(c.offs, int32(len(c.bin)))
	}
	c.commit()
	return nil
}

type parseStatus uint8

const (
	parseOK parseStatus = iota
	parseSyntax
	parseRange
)

// parseInt parses [+-]digits into an int64.
func parseInt(b []byte) (int64, parseStatus) {
	neg := len(b) > 0 && b[0] == '-'
	u, st := parseUint(b)
	if neg && st == parseRange {
		// parseUint refuses negatives; parse the magnitude.
		u, st = parseDigits(b[1:])
	}
	if st != parseOK {
		return 0, st
	}
	if neg {
		if u > 1<<63 {
			return 0, parseRange
		}
		return -int64(u), parseOK
	}
	if u > math.MaxInt64 {
		return 0, parseRange
	}
	return int64(u), parseOK
}

// parseUint parses [+]digits into a uint64; a negative number is out of range ("-0" is 0).
func parseUint(b []byte) (uint64, parseStatus) {
	if len(b) > 0 && b[0] == '+' {
		return parseDigits(b[1:])
	}
	if len(b) > 0 && b[0] == '-' {
		u, st := parseDigits(b[1:])
		if st == parseOK && u != 0 {
			return 0, parseRange
		}
		return 0, st
	}
	return parseDigits(b)
}

func parseDigits(b []byte) (uint64, parseStatus) {
	if len(b) == 0 {
		return 0, parseSyntax
	}
	if len(b) <= 19 {
		// 19 digits cannot overflow: no range check per digit, eight digits at a time.
		return parseShortDigits(b)
	}
	var u uint64
	st := parseOK
	for _, ch := range b {
		d := uint64(ch - '0')
		if d > 9 {
			return 0, parseSyntax
		}
		if u > (math.MaxUint64-d)/10 {
			st = parseRange
			continue
		}
		u = u*10 + d
	}
	if st != parseOK {
		return 0, st
	}
	return u, parseOK
}

// parseShortDigits is parseDigits for at most 19 bytes, which cannot overflow a uint64.
func parseShortDigits(b []byte) (uint64, parseStatus) {
	var u uint64
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		if !eightDigits(x) {
			return 0, parseSyntax
		}
		u = u*1e8 + eightDigitsValue(x)
		b = b[8:]
	}
	for _, ch := range b {
		d := uint64(ch - '0')
		if d > 9 {
			return 0, parseSyntax
		}
		u = u*10 + d
	}
	return u, parseOK
}

// eightDigits reports whether all eight bytes of x are ASCII digits: each byte's high
// nibble is 3 and stays 3 after adding 6 (a byte that carries into the next one fails
// its own test first).
func eightDigits(x uint64) bool {
	const hi, six, threes = 0xF0F0F0F0F0F0F0F0, 0x0606060606060606, 0x3333333333333333
	return x&hi|(x+six)&hi>>4 == threes
}

// eightDigitsValue is the value of the eight ASCII digits of x, the first digit in the low
// byte (SWAR: pairs, then quadruples, then the whole).
func eightDigitsValue(x uint64) uint64 {
	x -= 0x3030303030303030
	x = x*10 + x>>8 // bytes 0, 2, 4, 6: two-digit values
	x = ((x&0x000000FF000000FF)*(100+1000000<<32) + (x>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
	return x
}

func parseBoolText(v []byte) (bool, bool) {
	var buf [7]byte
	if len(v) == 0 || len(v) > len(buf) {
		return false, false
	}
	for i, ch := range v {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	switch string(buf[:len(v)]) {
	case "true", "1", "yes", "on", "t", "y", "enable":
		return true, true
	case "false", "0", "no", "off", "f", "n", "disable":
		return false, true
	}
	return false, false
}

func unhex(ch byte) (byte, bool) {
	switch {
	case ch >= '0' && ch <= '9':
		return ch - '0', true
	case ch >= 'a' && ch <= 'f':
		return ch - 'a' + 10, true
	case ch >= 'A' && ch <= 'F':
		return ch - 'A' + 10, true
	}
	return 0, false
}

// parseUUID decodes canonical (8-4-4-4-12) or 32-digit hex text into dst[:16] in RFC 4122
// byte order.
func parseUUID(dst, v []byte) bool {
	switch len(v) {
	case 36:
		if v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
			return false
		}
	case 32:
	default:
		return false
	}
	for j, i := 0, 0; j < 16; j, i = j+1, i+2 {
		if len(v) == 36 && (i == 8 || i == 13 || i == 18 || i == 23) {
			i++ // the dashes checked above
		}
		hi, ok1 := unhex(v[i])
		lo, ok2 := unhex(v[i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[j] = hi<<4 | lo
	}
	return true
}
