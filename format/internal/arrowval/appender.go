package arrowval

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// Appender stages row i of arr (an array of the Arrow type it was compiled for) into c.
type Appender func(c *block.Col, arr arrow.Array, i int) error

// ConvertError reports an Arrow type that cannot fill a column type.
type ConvertError struct {
	From arrow.DataType
	To   *block.Type
}

// Error returns "Cannot convert arrow type F to column type T".
func (e *ConvertError) Error() string {
	return fmt.Sprintf("Cannot convert arrow type %s to column type %s", e.From, e.To)
}

// CompileAppender returns the Appender staging values of Arrow type dt into columns of type
// t, converting like ClickHouse's Arrow and Parquet input: integers, floats, booleans and
// strings go through [block.Col]'s conversions (a string into a number column is parsed),
// dates and timestamps are rescaled to the column's unit, decimals pass as their text,
// dictionaries by their values (so Enum columns take names), lists, maps and structs fill
// Array, Map and Tuple columns (struct fields by name). Arrow NULLs are NULLs. scratch is a
// buffer the appender may format text into; it must outlive the Appender and not be shared
// with concurrent users.
func CompileAppender(dt arrow.DataType, t *block.Type, scratch *[]byte) (Appender, error) {
	inner, err := compileAppender(dt, t, scratch)
	if err != nil {
		return nil, err
	}
	if dt.ID() == arrow.NULL {
		return inner, nil
	}
	return func(c *block.Col, arr arrow.Array, i int) error {
		if arr.IsNull(i) {
			return c.AppendNull()
		}
		return inner(c, arr, i)
	}, nil
}

func compileAppender(dt arrow.DataType, t *block.Type, scratch *[]byte) (Appender, error) {
	base := Base(t)
	kind := base.Kind
	bad := func() (Appender, error) { return nil, &ConvertError{From: dt, To: t} }
	isTime := kind == block.Date || kind == block.Date32 || kind == block.DateTime || kind == block.DateTime64
	switch dt.ID() {
	case arrow.NULL:
		return func(c *block.Col, _ arrow.Array, _ int) error { return c.AppendNull() }, nil
	case arrow.DICTIONARY:
		d := dt.(*arrow.DictionaryType)
		if !arrow.IsInteger(d.IndexType.ID()) {
			return bad()
		}
		inner, err := CompileAppender(d.ValueType, t, scratch)
		if err != nil {
			return nil, err
		}
		return func(c *block.Col, arr arrow.Array, i int) error {
			a := arr.(*array.Dictionary)
			return inner(c, a.Dictionary(), a.GetValueIndex(i))
		}, nil
	case arrow.EXTENSION:
		st := dt.(arrow.ExtensionType).StorageType()
		inner, err := compileAppender(st, t, scratch)
		if err != nil {
			return nil, err
		}
		return func(c *block.Col, arr arrow.Array, i int) error {
			return inner(c, arr.(array.ExtensionArray).Storage(), i)
		}, nil
	}
	switch kind {
	case block.Array:
		var et arrow.DataType
		switch lt := dt.(type) {
		case *arrow.ListType:
			et = lt.Elem()
		case *arrow.LargeListType:
			et = lt.Elem()
		case *arrow.FixedSizeListType:
			et = lt.Elem()
		default:
			return bad()
		}
		elem, err := CompileAppender(et, base.Elem, scratch)
		if err != nil {
			return nil, err
		}
		return func(c *block.Col, arr arrow.Array, i int) error {
			l := arr.(array.ListLike)
			s, e := l.ValueOffsets(i)
			values := l.ListValues()
			el := c.BeginArray()
			for k := int(s); k < int(e); k++ {
				if err := elem(el, values, k); err != nil {
					return err
				}
			}
			c.EndArray()
			return nil
		}, nil
	case block.Map:
		mt, ok := dt.(*arrow.MapType)
		if !ok {
			return bad()
		}
		key, err := CompileAppender(mt.KeyType(), base.Key, scratch)
		if err != nil {
			return nil, err
		}
		val, err := CompileAppender(mt.ItemType(), base.Value, scratch)
		if err != nil {
			return nil, err
		}
		return func(c *block.Col, arr arrow.Array, i int) error {
			m := arr.(*array.Map)
			s, e := m.ValueOffsets(i)
			keys, items := m.Keys(), m.Items()
			kc, vc := c.BeginMap()
			for k := int(s); k < int(e); k++ {
				if err := key(kc, keys, k); err != nil {
					return err
				}
				if err := val(vc, items, k); err != nil {
					return err
				}
			}
			return c.EndMap()
		}, nil
	case block.Tuple:
		st, ok := dt.(*arrow.StructType)
		if !ok {
			return bad()
		}
		type field struct {
			src, dst int
			app      Appender
		}
		var fields []field
		for k, f := range st.Fields() {
			j := -1
			for n, tf := range base.Fields {
				name := tf.Name
				if name == "" {
					name = fmt.Sprint(n + 1)
				}
				if name == f.Name {
					j = n
					break
				}
			}
			if j < 0 {
				continue // ClickHouse ignores struct fields the tuple does not have
			}
			app, err := CompileAppender(f.Type, base.Fields[j].Type, scratch)
			if err != nil {
				return nil, err
			}
			fields = append(fields, field{src: k, dst: j, app: app})
		}
		return func(c *block.Col, arr arrow.Array, i int) error {
			s := arr.(*array.Struct)
			c.BeginTuple()
			for _, f := range fields {
				if err := f.app(c.Field(f.dst), s.Field(f.src), i); err != nil {
					return err
				}
			}
			return c.EndTuple()
		}, nil
	}

	switch dt.ID() {
	case arrow.INT8:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendInt(int64(a.(*array.Int8).Value(i))) }, nil
	case arrow.INT16:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendInt(int64(a.(*array.Int16).Value(i))) }, nil
	case arrow.INT32:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendInt(int64(a.(*array.Int32).Value(i))) }, nil
	case arrow.INT64:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendInt(a.(*array.Int64).Value(i)) }, nil
	case arrow.UINT8:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendUint(uint64(a.(*array.Uint8).Value(i))) }, nil
	case arrow.UINT16:
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendUint(uint64(a.(*array.Uint16).Value(i)))
		}, nil
	case arrow.UINT32:
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendUint(uint64(a.(*array.Uint32).Value(i)))
		}, nil
	case arrow.UINT64:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendUint(a.(*array.Uint64).Value(i)) }, nil
	case arrow.FLOAT16:
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendFloat(float64(a.(*array.Float16).Value(i).Float32()))
		}, nil
	case arrow.FLOAT32:
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendFloat(float64(a.(*array.Float32).Value(i)))
		}, nil
	case arrow.FLOAT64:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendFloat(a.(*array.Float64).Value(i)) }, nil
	case arrow.BOOL:
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendBool(a.(*array.Boolean).Value(i)) }, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
		get := BytesGetter(dt)
		return func(c *block.Col, a arrow.Array, i int) error { return c.AppendText(get(a, i)) }, nil
	case arrow.FIXED_SIZE_BINARY:
		if kind == block.UUID && dt.(*arrow.FixedSizeBinaryType).ByteWidth == 16 {
			return func(c *block.Col, a arrow.Array, i int) error {
				*scratch = binio.AppendUUIDHex((*scratch)[:0], a.(*array.FixedSizeBinary).Value(i))
				return c.AppendText(*scratch)
			}, nil
		}
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendText(a.(*array.FixedSizeBinary).Value(i))
		}, nil
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		scale := int(dt.(arrow.DecimalType).GetScale())
		if scale < 0 {
			return bad()
		}
		var get func(arrow.Array, int) binio.Int256
		switch dt.ID() {
		case arrow.DECIMAL32:
			get = func(a arrow.Array, i int) binio.Int256 {
				return binio.Int256FromInt64(int64(a.(*array.Decimal32).Value(i)))
			}
		case arrow.DECIMAL64:
			get = func(a arrow.Array, i int) binio.Int256 {
				return binio.Int256FromInt64(int64(a.(*array.Decimal64).Value(i)))
			}
		case arrow.DECIMAL128:
			get = func(a arrow.Array, i int) binio.Int256 {
				n := a.(*array.Decimal128).Value(i)
				s := uint64(n.HighBits() >> 63)
				return binio.Int256{n.LowBits(), uint64(n.HighBits()), s, s}
			}
		default:
			get = func(a arrow.Array, i int) binio.Int256 { return a.(*array.Decimal256).Value(i).Array() }
		}
		return func(c *block.Col, a arrow.Array, i int) error {
			*scratch = get(a, i).AppendDecimal((*scratch)[:0], scale)
			return c.AppendText(*scratch)
		}, nil
	case arrow.DATE32, arrow.DATE64:
		if !isTime {
			return bad()
		}
		mul := int64(1) // days to the column's unit
		switch kind {
		case block.DateTime:
			mul = 86400
		case block.DateTime64:
			mul = 86400 * pow10[base.Precision]
		}
		if dt.ID() == arrow.DATE32 {
			return func(c *block.Col, a arrow.Array, i int) error {
				return c.AppendInt(int64(a.(*array.Date32).Value(i)) * mul)
			}, nil
		}
		return func(c *block.Col, a arrow.Array, i int) error {
			return c.AppendInt(floorDiv(int64(a.(*array.Date64).Value(i)), 86400000) * mul)
		}, nil
	case arrow.TIMESTAMP:
		if !isTime {
			return bad()
		}
		from := unitDigits(dt.(*arrow.TimestampType).Unit)
		var mul, div int64
		switch kind {
		case block.Date, block.Date32:
			mul, div = 1, pow10[from]*86400
		case block.DateTime:
			mul, div = rescale(from, 0)
		default:
			mul, div = rescale(from, base.Precision)
		}
		return func(c *block.Col, a arrow.Array, i int) error {
			x := int64(a.(*array.Timestamp).Value(i))
			if div > 1 {
				return c.AppendInt(floorDiv(x, div))
			}
			if mul > 1 && (x > (1<<63-1)/mul || x < -(1<<63)/mul) {
				return &block.ValueError{Column: c.Name(), Type: c.Type().String(), Value: strconv.FormatInt(x, 10), Reason: "out of range"}
			}
			return c.AppendInt(x * mul)
		}, nil
	}
	return bad()
}
