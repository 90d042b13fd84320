package arrowcol

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
)

// Value getters convert a column value to what a field of another type system needs,
// refusing lossy conversions as ClickHouse's ProtobufSerializer does (numeric_cast).

// IntGet reads a value as an integer.
type IntGet func(a arrow.Array, i int) (int64, error)

// IntGetter returns a reader of r's values as int64: integers (Enum: the value), Bool as 0
// or 1, integral floats, and text parsed as an integer; anything else or out of range is
// an error.
func IntGetter(r *Reader) IntGet {
	switch r.Class {
	case Int, Enum:
		return func(a arrow.Array, i int) (int64, error) { return r.Int(a, i), nil }
	case Uint:
		return func(a arrow.Array, i int) (int64, error) {
			v := r.Uint(a, i)
			if v > math.MaxInt64 {
				return 0, fmt.Errorf("value %d out of range of a signed field", v)
			}
			return int64(v), nil
		}
	case Bool:
		return func(a arrow.Array, i int) (int64, error) {
			if r.Bool(a, i) {
				return 1, nil
			}
			return 0, nil
		}
	case Float:
		return func(a arrow.Array, i int) (int64, error) {
			v := r.Float(a, i)
			if v != math.Trunc(v) || v < math.MinInt64 || v >= math.MaxInt64 {
				return 0, fmt.Errorf("value %v is not an integer in range", v)
			}
			return int64(v), nil
		}
	}
	return func(a arrow.Array, i int) (int64, error) {
		text := AppendText(nil, r, a, i, time.UTC)
		v, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to an integer", text)
		}
		return v, nil
	}
}

// UintGetter is like [IntGetter] for unsigned values: negative values are an error.
func UintGetter(r *Reader) func(a arrow.Array, i int) (uint64, error) {
	if r.Class == Uint {
		return func(a arrow.Array, i int) (uint64, error) { return r.Uint(a, i), nil }
	}
	get := IntGetter(r)
	return func(a arrow.Array, i int) (uint64, error) {
		v, err := get(a, i)
		if err != nil {
			return 0, err
		}
		if v < 0 {
			return 0, fmt.Errorf("value %d out of range of an unsigned field", v)
		}
		return uint64(v), nil
	}
}

// FloatGetter returns a reader of r's values as float64: floats, integers, Bool, and text
// parsed as a number.
func FloatGetter(r *Reader) func(a arrow.Array, i int) (float64, error) {
	switch r.Class {
	case Float:
		return func(a arrow.Array, i int) (float64, error) { return r.Float(a, i), nil }
	case Uint:
		return func(a arrow.Array, i int) (float64, error) { return float64(r.Uint(a, i)), nil }
	case Int, Enum, Bool:
		get := IntGetter(r)
		return func(a arrow.Array, i int) (float64, error) {
			v, err := get(a, i)
			return float64(v), err
		}
	}
	return func(a arrow.Array, i int) (float64, error) {
		text := AppendText(nil, r, a, i, time.UTC)
		v, err := strconv.ParseFloat(string(text), 64)
		if err != nil {
			return 0, fmt.Errorf("cannot convert %q to a number", text)
		}
		return v, nil
	}
}

// Timestamp returns the seconds and nanoseconds of value i of a DateTime, DateTime64 or
// Date reader's array (resolved by [Reader.At]).
func Timestamp(r *Reader, a arrow.Array, i int) (int64, int32) {
	v := r.Int(a, i)
	switch r.Type.Kind {
	case block.Date, block.Date32:
		return v * 86400, 0
	case block.DateTime64:
		mul := int64(1)
		for range r.Type.Precision {
			mul *= 10
		}
		sec, frac := v/mul, v%mul
		if frac < 0 {
			sec, frac = sec-1, frac+mul
		}
		return sec, int32(frac * (1e9 / mul))
	}
	return v, 0
}

// AppendText appends the ClickHouse text form of value i of a (resolved by [Reader.At]):
// bytes as they are (UUID as canonical text), numbers in shortest form, Bool as
// true/false, Enum names, decimals with their scale, dates as YYYY-MM-DD and times as
// "YYYY-MM-DD hh:mm:ss[.fff]" in loc.
func AppendText(dst []byte, r *Reader, a arrow.Array, i int, loc *time.Location) []byte {
	t := r.Type
	switch r.Class {
	case Bytes:
		b := r.Bytes(a, i)
		if t.Kind == block.UUID {
			return AppendUUID(dst, b)
		}
		return append(dst, b...)
	case Uint:
		return strconv.AppendUint(dst, r.Uint(a, i), 10)
	case Float:
		bits := 64
		if t.Kind == block.Float32 {
			bits = 32
		}
		return strconv.AppendFloat(dst, r.Float(a, i), 'g', -1, bits)
	case Bool:
		return strconv.AppendBool(dst, r.Bool(a, i))
	case Enum:
		return append(dst, t.Enum[r.EnumIndex(a, i)].Name...)
	case Decimal:
		return AppendDecimalText(dst, r.Decimal(a, i), t.Scale)
	case Int:
		v := r.Int(a, i)
		switch t.Kind {
		case block.Date, block.Date32:
			return time.Unix(v*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
		case block.DateTime, block.DateTime64:
			sec, nanos := Timestamp(r, a, i)
			tm := time.Unix(sec, int64(nanos)).In(loc)
			dst = tm.AppendFormat(dst, "2006-01-02 15:04:05")
			if t.Kind == block.DateTime64 && t.Precision > 0 {
				frac := strconv.AppendInt(nil, int64(nanos)+1e9, 10)[1 : 1+t.Precision]
				dst = append(append(dst, '.'), frac...)
			}
			return dst
		}
		return strconv.AppendInt(dst, v, 10)
	}
	return dst
}

// Location returns the time zone tz ("" is UTC), or UTC when it cannot be loaded.
func Location(tz string) *time.Location {
	if tz == "" || tz == "UTC" {
		return time.UTC
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

const hexDigits = "0123456789abcdef"

// AppendUUID appends 16 bytes as canonical UUID text.
func AppendUUID(dst, b []byte) []byte {
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[x>>4], hexDigits[x&15])
	}
	return dst
}
