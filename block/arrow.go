package block

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// MetadataKey is the Arrow field metadata key under which [Schema] stores the column's
// ClickHouse type ([Type.String]). [ColumnsFromSchema] reads it back.
const MetadataKey = "clickhouse.type"

// ArrowType returns the Arrow type of values of t (DESIGN.md, semantics 9):
//
//	Int8..Int64, UInt8..UInt64       int8..int64, uint8..uint64
//	Float32, Float64                 float32, float64
//	Bool                             boolean
//	String                           utf8 (bytes passed through, not validated)
//	FixedString(N)                   fixed_size_binary(N)
//	Date, Date32                     date32
//	DateTime[('tz')]                 timestamp[s, tz] ("UTC" when tz is "")
//	DateTime64(P[, 'tz'])            timestamp[s|ms|us|ns, tz] for P 0 | 1-3 | 4-6 | 7-9
//	Decimal(P, S)                    decimal128(P, S) for P <= 38, else decimal256(P, S)
//	UUID                             fixed_size_binary(16), RFC 4122 byte order
//	Enum8/Enum16                     dictionary<int8/int16, utf8> (widened to int16/int32
//	                                 only when the positions do not fit: an Enum8 with
//	                                 more than 128 values, an Enum16 with more than 32768):
//	                                 dictionary = names in declaration order, indices =
//	                                 positions in that order; the Enum values themselves
//	                                 travel in the field metadata ([MetadataKey])
//	LowCardinality(T)                dictionary<int32, ArrowType(T without Nullable)>
//	Nullable(T)                      ArrowType(T) (nullability belongs to the field)
//	Array(T)                         list<item: T> (item nullable iff T.IsNullable())
//	Map(K, V)                        map<K, V> (value nullable iff V.IsNullable())
//	Tuple(...)                       struct, unnamed elements named "1", "2", ...
//
// A fresh DataType is returned on each call. t must be valid (as from [ParseType]).
func (t *Type) ArrowType() arrow.DataType {
	switch t.Kind {
	case Int8:
		return arrow.PrimitiveTypes.Int8
	case Int16:
		return arrow.PrimitiveTypes.Int16
	case Int32:
		return arrow.PrimitiveTypes.Int32
	case Int64:
		return arrow.PrimitiveTypes.Int64
	case UInt8:
		return arrow.PrimitiveTypes.Uint8
	case UInt16:
		return arrow.PrimitiveTypes.Uint16
	case UInt32:
		return arrow.PrimitiveTypes.Uint32
	case UInt64:
		return arrow.PrimitiveTypes.Uint64
	case Float32:
		return arrow.PrimitiveTypes.Float32
	case Float64:
		return arrow.PrimitiveTypes.Float64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case String:
		return arrow.BinaryTypes.String
	case FixedString:
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Len}
	case UUID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}
	case Date, Date32:
		return arrow.FixedWidthTypes.Date32
	case DateTime:
		return &arrow.TimestampType{Unit: arrow.Second, TimeZone: arrowTZ(t.TZ)}
	case DateTime64:
		return &arrow.TimestampType{Unit: timeUnit(t.Precision), TimeZone: arrowTZ(t.TZ)}
	case Decimal:
		if t.Precision <= 38 {
			return &arrow.Decimal128Type{Precision: int32(t.Precision), Scale: int32(t.Scale)}
		}
		return &arrow.Decimal256Type{Precision: int32(t.Precision), Scale: int32(t.Scale)}
	case Enum8, Enum16:
		return &arrow.DictionaryType{IndexType: enumIndexType(t), ValueType: arrow.BinaryTypes.String}
	case LowCardinality:
		return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: t.Elem.stripNullable().ArrowType()}
	case Nullable:
		return t.Elem.ArrowType()
	case Array:
		return arrow.ListOfField(arrow.Field{Name: "item", Type: t.Elem.ArrowType(), Nullable: t.Elem.IsNullable()})
	case Map:
		return arrow.MapOfFields(
			arrow.Field{Name: "key", Type: t.Key.ArrowType()},
			arrow.Field{Name: "value", Type: t.Value.ArrowType(), Nullable: t.Value.IsNullable()})
	case Tuple:
		fs := make([]arrow.Field, len(t.Fields))
		for i, f := range t.Fields {
			fs[i] = arrow.Field{Name: tupleFieldName(f.Name, i), Type: f.Type.ArrowType(), Nullable: f.Type.IsNullable()}
		}
		return arrow.StructOf(fs...)
	}
	panic(fmt.Sprintf("block: ArrowType of invalid type kind %d", t.Kind))
}

func tupleFieldName(name string, i int) string {
	if name != "" {
		return name
	}
	return strconv.Itoa(i + 1)
}

func arrowTZ(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return tz
}

// timeUnit is the Arrow unit of DateTime64(p).
func timeUnit(p int) arrow.TimeUnit {
	switch {
	case p == 0:
		return arrow.Second
	case p <= 3:
		return arrow.Millisecond
	case p <= 6:
		return arrow.Microsecond
	}
	return arrow.Nanosecond
}

// enumIndexType is int8 for Enum8 and int16 for Enum16, widened (int16, int32) only when
// the positions 0..len(Enum)-1 do not fit: an Enum8 with more than 128 values, an Enum16
// with more than 32768.
func enumIndexType(t *Type) arrow.DataType {
	n := len(t.Enum)
	switch {
	case t.Kind == Enum8 && n <= 128:
		return arrow.PrimitiveTypes.Int8
	case n <= 32768:
		return arrow.PrimitiveTypes.Int16
	}
	return arrow.PrimitiveTypes.Int32
}

// stripNullable returns T for Nullable(T), else t.
func (t *Type) stripNullable() *Type {
	if t.Kind == Nullable {
		return t.Elem
	}
	return t
}

// base returns the type of the stored values: t without Nullable and LowCardinality.
func (t *Type) base() *Type {
	for t.Kind == Nullable || t.Kind == LowCardinality {
		t = t.Elem
	}
	return t
}

// Schema returns the Arrow schema of cols: one field per column, in order, with
// [Type.ArrowType], Nullable set per [Type.IsNullable], and the ClickHouse type under
// [MetadataKey] in the field metadata. The columns' types must be valid (as from
// [ParseType]). Schema is safe for concurrent use.
func Schema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = columnField(c)
	}
	return arrow.NewSchema(fields, nil)
}

func columnField(c Column) arrow.Field {
	return arrow.Field{
		Name:     c.Name,
		Type:     c.Type.ArrowType(),
		Nullable: c.Type.IsNullable(),
		Metadata: arrow.NewMetadata([]string{MetadataKey}, []string{c.Type.String()}),
	}
}

// ColumnsFromSchema returns the columns of an Arrow schema. A field with [MetadataKey]
// metadata gets that ClickHouse type, which must map to the field's Arrow type; any other
// field's type is inferred by inverting the mapping of [Type.ArrowType]:
//
//	int8..uint64, float32/64, boolean   the same width
//	utf8, large_utf8, binary, large_binary, string_view, binary_view   String
//	fixed_size_binary(N)                FixedString(N); the arrow.uuid extension is UUID
//	date32                              Date32
//	timestamp[s, tz]                    DateTime('tz') (DateTime for "" and "UTC")
//	timestamp[ms|us|ns, tz]             DateTime64(3|6|9, 'tz')
//	decimal32/64/128/256(P, S)          Decimal(P, S)
//	dictionary<integer, T>              LowCardinality(T) (an Enum without metadata has no
//	                                    known values, so dictionary<int8, utf8> is
//	                                    LowCardinality(String))
//	list<T>, large_list<T>              Array(T)
//	map<K, V>                           Map(K, V)
//	struct                              Tuple; unnamed when the names are "1", "2", ...
//
// Nullable Arrow fields and elements become Nullable(T) where ClickHouse allows it and are
// read as non-Nullable where it does not (arrays, maps, tuples). ColumnsFromSchema fails for
// an unsupported Arrow type or bad metadata (the error names the field), for a field
// named like a virtual column ([ErrReservedName]) and for a duplicate name.
func ColumnsFromSchema(s *arrow.Schema) ([]Column, error) {
	cols := make([]Column, 0, s.NumFields())
	for _, f := range s.Fields() {
		var (
			t   *Type
			err error
		)
		if i := f.Metadata.FindKey(MetadataKey); i >= 0 {
			text := f.Metadata.Values()[i]
			if t, err = ParseType(text); err != nil {
				return nil, fmt.Errorf("block: field %q: %w", f.Name, err)
			}
			if want := t.ArrowType(); !arrow.TypeEqual(want, f.Type) {
				return nil, fmt.Errorf("block: field %q: arrow type %s does not match its %s %s (%s)", f.Name, f.Type, MetadataKey, text, want)
			}
		} else if t, err = typeFromArrow(f.Type, f.Nullable); err != nil {
			return nil, fmt.Errorf("block: field %q: %w", f.Name, err)
		}
		cols = append(cols, Column{Name: f.Name, Type: t})
	}
	if err := checkNames(cols); err != nil {
		return nil, err
	}
	return cols, nil
}

func typeFromArrow(dt arrow.DataType, nullable bool) (*Type, error) {
	t, err := typeFromArrowNotNull(dt)
	if err != nil {
		return nil, err
	}
	if nullable {
		return makeNullable(t), nil
	}
	return t, nil
}

// makeNullable wraps t in Nullable where ClickHouse allows it.
func makeNullable(t *Type) *Type {
	switch t.Kind {
	case Nullable, Array, Map, Tuple:
		return t
	case LowCardinality:
		return &Type{Kind: LowCardinality, Elem: makeNullable(t.Elem)}
	}
	return &Type{Kind: Nullable, Elem: t}
}

func typeFromArrowNotNull(dt arrow.DataType) (*Type, error) {
	simple := func(k Kind) (*Type, error) { return &Type{Kind: k}, nil }
	switch dt.ID() {
	case arrow.INT8:
		return simple(Int8)
	case arrow.INT16:
		return simple(Int16)
	case arrow.INT32:
		return simple(Int32)
	case arrow.INT64:
		return simple(Int64)
	case arrow.UINT8:
		return simple(UInt8)
	case arrow.UINT16:
		return simple(UInt16)
	case arrow.UINT32:
		return simple(UInt32)
	case arrow.UINT64:
		return simple(UInt64)
	case arrow.FLOAT32:
		return simple(Float32)
	case arrow.FLOAT64:
		return simple(Float64)
	case arrow.BOOL:
		return simple(Bool)
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
		return simple(String)
	case arrow.FIXED_SIZE_BINARY:
		return &Type{Kind: FixedString, Len: dt.(*arrow.FixedSizeBinaryType).ByteWidth}, nil
	case arrow.DATE32:
		return simple(Date32)
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		tz := ts.TimeZone
		if tz == "UTC" {
			tz = ""
		}
		if _, err := loadLocation(tz); err != nil {
			return nil, fmt.Errorf("arrow type %s: %w", dt, err)
		}
		switch ts.Unit {
		case arrow.Second:
			return &Type{Kind: DateTime, TZ: tz}, nil
		case arrow.Millisecond:
			return &Type{Kind: DateTime64, Precision: 3, TZ: tz}, nil
		case arrow.Microsecond:
			return &Type{Kind: DateTime64, Precision: 6, TZ: tz}, nil
		default:
			return &Type{Kind: DateTime64, Precision: 9, TZ: tz}, nil
		}
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		d := dt.(arrow.DecimalType)
		p, s := int(d.GetPrecision()), int(d.GetScale())
		if p < 1 || p > 76 || s < 0 || s > p {
			return nil, fmt.Errorf("unsupported arrow type %s (ClickHouse Decimal needs 1 <= P <= 76, 0 <= S <= P)", dt)
		}
		return &Type{Kind: Decimal, Precision: p, Scale: s}, nil
	case arrow.DICTIONARY:
		d := dt.(*arrow.DictionaryType)
		if !arrow.IsInteger(d.IndexType.ID()) {
			return nil, fmt.Errorf("unsupported arrow type %s", dt)
		}
		inner, err := typeFromArrowNotNull(d.ValueType)
		if err != nil {
			return nil, err
		}
		switch inner.Kind {
		case LowCardinality, Array, Map, Tuple, Bool:
			return nil, fmt.Errorf("unsupported arrow type %s (LowCardinality of %s)", dt, inner)
		}
		return &Type{Kind: LowCardinality, Elem: inner}, nil
	case arrow.LIST, arrow.LARGE_LIST:
		f := dt.(arrow.ListLikeType).ElemField()
		elem, err := typeFromArrow(f.Type, f.Nullable)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Array, Elem: elem}, nil
	case arrow.MAP:
		m := dt.(*arrow.MapType)
		key, err := typeFromArrowNotNull(m.KeyType())
		if err != nil {
			return nil, err
		}
		if key.Kind == Array || key.Kind == Map || key.Kind == Tuple {
			return nil, fmt.Errorf("unsupported arrow type %s (Map key %s)", dt, key)
		}
		value, err := typeFromArrow(m.ItemType(), m.ItemField().Nullable)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Map, Key: key, Value: value}, nil
	case arrow.STRUCT:
		st := dt.(*arrow.StructType)
		if st.NumFields() == 0 {
			return nil, fmt.Errorf("unsupported arrow type %s (empty struct)", dt)
		}
		t := &Type{Kind: Tuple, Fields: make([]TupleField, st.NumFields())}
		unnamed := true
		for i, f := range st.Fields() {
			ft, err := typeFromArrow(f.Type, f.Nullable)
			if err != nil {
				return nil, err
			}
			t.Fields[i] = TupleField{Name: f.Name, Type: ft}
			if f.Name != strconv.Itoa(i+1) {
				unnamed = false
			}
		}
		seen := map[string]bool{}
		for i := range t.Fields {
			if unnamed {
				t.Fields[i].Name = ""
				continue
			}
			if t.Fields[i].Name == "" || seen[t.Fields[i].Name] {
				return nil, fmt.Errorf("unsupported arrow type %s (empty or duplicate struct field name)", dt)
			}
			seen[t.Fields[i].Name] = true
		}
		return t, nil
	case arrow.EXTENSION:
		if ext := dt.(arrow.ExtensionType); ext.ExtensionName() == "arrow.uuid" {
			return simple(UUID)
		}
	}
	return nil, fmt.Errorf("unsupported arrow type %s", dt)
}
