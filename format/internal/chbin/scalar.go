// Package chbin is ClickHouse's binary value codec shared by the RowBinary and Native
// formats: values of every supported type read from their binary encoding into staged
// columns (row by row for RowBinary, column by column for Native), and written from Arrow
// arrays. Readers and writers are compiled once per type.
package chbin

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// ConvertError is ClickHouse's error for a message column whose type cannot fill the
// table column: "Cannot convert: String to UInt16".
type ConvertError struct {
	From, To *block.Type
}

// Error returns "Cannot convert: From to To".
func (e *ConvertError) Error() string {
	return fmt.Sprintf("Cannot convert: %s to %s", e.From, e.To)
}

// Width returns the byte width of a value of the scalar type t (without Nullable and
// LowCardinality) in ClickHouse's binary encoding, or 0 for String (VarUInt length and
// bytes) and for Array, Map and Tuple.
func Width(t *block.Type) int {
	switch t.Kind {
	case block.Int8, block.UInt8, block.Bool, block.Enum8:
		return 1
	case block.Int16, block.UInt16, block.Date, block.Enum16:
		return 2
	case block.Int32, block.UInt32, block.Float32, block.Date32, block.DateTime:
		return 4
	case block.Int64, block.UInt64, block.Float64, block.DateTime64:
		return 8
	case block.FixedString:
		return t.Len
	case block.UUID:
		return 16
	case block.Decimal:
		return binio.DecimalWidth(t.Precision)
	}
	return 0
}

// scalar stages the value whose binary encoding is b into c.
type scalar func(c *block.Col, b []byte) error

func isInt(k block.Kind) bool {
	switch k {
	case block.Int8, block.Int16, block.Int32, block.Int64, block.UInt8, block.UInt16, block.UInt32, block.UInt64:
		return true
	}
	return false
}

func isFloat(k block.Kind) bool { return k == block.Float32 || k == block.Float64 }

func isDate(k block.Kind) bool { return k == block.Date || k == block.Date32 }

func isTime(k block.Kind) bool { return k == block.DateTime || k == block.DateTime64 }

func isEnum(k block.Kind) bool { return k == block.Enum8 || k == block.Enum16 }

func isText(k block.Kind) bool { return k == block.String || k == block.FixedString }

// convertible reports whether values of the scalar type from may fill columns of the
// scalar type to: the same type, or a conversion block.Col checks value by value.
func convertible(from, to *block.Type) bool {
	f, t := from.Kind, to.Kind
	switch {
	case from.String() == to.String():
		return true
	case isInt(f):
		return isInt(t) || isFloat(t) || t == block.Decimal || t == block.Bool
	case isFloat(f):
		return isFloat(t)
	case f == block.Bool:
		return t == block.Bool || isInt(t)
	case isText(f):
		return isText(t)
	case isDate(f), isTime(f):
		return isDate(t) || isTime(t)
	case f == block.Decimal:
		return t == block.Decimal || isFloat(t)
	case isEnum(f):
		return isEnum(t)
	}
	return false
}

// compileScalar returns the stager of binary values of the scalar type from into columns
// of the scalar type to (both without Nullable and LowCardinality). scratch is a buffer for
// text conversions.
func compileScalar(from, to *block.Type, scratch *[]byte) (scalar, error) {
	if !convertible(from, to) {
		return nil, &ConvertError{From: from, To: to}
	}
	le := binary.LittleEndian
	switch from.Kind {
	case block.Int8:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(int8(b[0]))) }, nil
	case block.Int16:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(int16(le.Uint16(b)))) }, nil
	case block.Int32:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(int32(le.Uint32(b)))) }, nil
	case block.Int64:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(le.Uint64(b))) }, nil
	case block.UInt8:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(b[0])) }, nil
	case block.UInt16:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(le.Uint16(b))) }, nil
	case block.UInt32:
		return func(c *block.Col, b []byte) error { return c.AppendInt(int64(le.Uint32(b))) }, nil
	case block.UInt64:
		return func(c *block.Col, b []byte) error { return c.AppendUint(le.Uint64(b)) }, nil
	case block.Float32:
		return func(c *block.Col, b []byte) error {
			return c.AppendFloat(float64(math.Float32frombits(le.Uint32(b))))
		}, nil
	case block.Float64:
		return func(c *block.Col, b []byte) error { return c.AppendFloat(math.Float64frombits(le.Uint64(b))) }, nil
	case block.Bool:
		return func(c *block.Col, b []byte) error { return c.AppendBool(b[0] != 0) }, nil
	case block.String, block.FixedString:
		return func(c *block.Col, b []byte) error { return c.AppendText(b) }, nil
	case block.UUID:
		return func(c *block.Col, b []byte) error {
			var u [16]byte
			binio.UUIDToRFC(u[:], b)
			*scratch = binio.AppendUUIDHex((*scratch)[:0], u[:])
			return c.AppendText(*scratch)
		}, nil
	case block.Decimal:
		scale := from.Scale
		return func(c *block.Col, b []byte) error {
			*scratch = binio.Int256FromLE(b).AppendDecimal((*scratch)[:0], scale)
			return c.AppendText(*scratch)
		}, nil
	case block.Enum8, block.Enum16:
		read := func(b []byte) int16 { return int16(int8(b[0])) }
		if from.Kind == block.Enum16 {
			read = func(b []byte) int16 { return int16(le.Uint16(b)) }
		}
		if from.String() == to.String() {
			return func(c *block.Col, b []byte) error { return c.AppendInt(int64(read(b))) }, nil
		}
		// Different Enum types: match by name, as a CAST would.
		names := make(map[int16]string, len(from.Enum))
		for _, e := range from.Enum {
			names[e.Value] = e.Name
		}
		return func(c *block.Col, b []byte) error {
			v := read(b)
			name, ok := names[v]
			if !ok {
				return c.AppendInt(int64(v)) // not a value of the message's type: let the column judge
			}
			*scratch = append((*scratch)[:0], name...)
			return c.AppendText(*scratch)
		}, nil
	case block.Date, block.Date32, block.DateTime, block.DateTime64:
		return timeScalar(from, to), nil
	}
	return nil, &ConvertError{From: from, To: to}
}

// timeScalar converts between Date, Date32, DateTime and DateTime64 of any precision.
func timeScalar(from, to *block.Type) scalar {
	le := binary.LittleEndian
	var read func(b []byte) int64
	fromDigits := 0 // the value counts 10^-fromDigits s, or days when fromDays
	fromDays := false
	switch from.Kind {
	case block.Date:
		read, fromDays = func(b []byte) int64 { return int64(le.Uint16(b)) }, true
	case block.Date32:
		read, fromDays = func(b []byte) int64 { return int64(int32(le.Uint32(b))) }, true
	case block.DateTime:
		read = func(b []byte) int64 { return int64(le.Uint32(b)) }
	default:
		read, fromDigits = func(b []byte) int64 { return int64(le.Uint64(b)) }, from.Precision
	}
	toDigits := 0
	toDays := isDate(to.Kind)
	if to.Kind == block.DateTime64 {
		toDigits = to.Precision
	}
	var mul, div int64 = 1, 1
	switch {
	case fromDays && toDays:
	case fromDays:
		mul = 86400 * arrowval.Pow10(toDigits)
	case toDays:
		div = 86400 * arrowval.Pow10(fromDigits)
	case toDigits >= fromDigits:
		mul = arrowval.Pow10(toDigits - fromDigits)
	default:
		div = arrowval.Pow10(fromDigits - toDigits)
	}
	return func(c *block.Col, b []byte) error {
		v := read(b)
		switch {
		case div > 1:
			v = arrowval.FloorDiv(v, div)
		case mul > 1:
			if v > math.MaxInt64/mul || v < math.MinInt64/mul {
				return &block.ValueError{Column: c.Name(), Type: c.Type().String(), Value: strconv.FormatInt(v, 10), Reason: "out of range"}
			}
			v *= mul
		}
		return c.AppendInt(v)
	}
}
