package block

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/virtualcols"
)

// uuidExt stands in for arrow-go's extensions.UUIDType (whose package needs a module this
// repository does not require): ColumnsFromSchema only looks at the extension name.
type uuidExt struct{ arrow.ExtensionBase }

func (*uuidExt) ExtensionName() string { return "arrow.uuid" }
func (*uuidExt) Serialize() string     { return "" }
func (u *uuidExt) Deserialize(arrow.DataType, string) (arrow.ExtensionType, error) {
	return u, nil
}
func (u *uuidExt) ExtensionEquals(o arrow.ExtensionType) bool {
	return o.ExtensionName() == u.ExtensionName()
}
func (*uuidExt) ArrayType() reflect.Type { return reflect.TypeOf(array.ExtensionArrayBase{}) }

func TestArrowType(t *testing.T) {
	tests := []struct{ typ, arrow string }{
		{"Int8", "int8"}, {"Int16", "int16"}, {"Int32", "int32"}, {"Int64", "int64"},
		{"UInt8", "uint8"}, {"UInt16", "uint16"}, {"UInt32", "uint32"}, {"UInt64", "uint64"},
		{"Float32", "float32"}, {"Float64", "float64"}, {"Bool", "bool"}, {"String", "utf8"},
		{"FixedString(3)", "fixed_size_binary[3]"}, {"UUID", "fixed_size_binary[16]"},
		{"Date", "date32"}, {"Date32", "date32"},
		{"DateTime", "timestamp[s, tz=UTC]"}, {"DateTime('Asia/Istanbul')", "timestamp[s, tz=Asia/Istanbul]"},
		{"DateTime64(0)", "timestamp[s, tz=UTC]"}, {"DateTime64(2)", "timestamp[ms, tz=UTC]"},
		{"DateTime64(3, 'Asia/Istanbul')", "timestamp[ms, tz=Asia/Istanbul]"},
		{"DateTime64(6)", "timestamp[us, tz=UTC]"}, {"DateTime64(7)", "timestamp[ns, tz=UTC]"},
		{"Decimal(9, 2)", "decimal(9, 2)"}, {"Decimal(38, 3)", "decimal(38, 3)"}, {"Decimal(40, 3)", "decimal256(40, 3)"},
		{"Enum8('a' = 1, 'b' = 2)", "dictionary<values=utf8, indices=int8, ordered=false>"},
		{"Enum16('a' = 1000)", "dictionary<values=utf8, indices=int16, ordered=false>"},
		{"LowCardinality(String)", "dictionary<values=utf8, indices=int32, ordered=false>"},
		{"LowCardinality(Nullable(String))", "dictionary<values=utf8, indices=int32, ordered=false>"},
		{"LowCardinality(UInt16)", "dictionary<values=uint16, indices=int32, ordered=false>"},
		{"Nullable(Int32)", "int32"},
		{"Array(Int32)", "list<item: int32>"},
		{"Array(Nullable(Int32))", "list<item: int32, nullable>"},
		{"Array(LowCardinality(String))", "list<item: dictionary<values=utf8, indices=int32, ordered=false>>"},
		{"Map(String, Array(Nullable(Int32)))", "map<utf8, list<item: int32, nullable>, items_non_nullable>"},
		{"Map(String, Nullable(Int32))", "map<utf8, int32, items_nullable>"},
		{"Tuple(a Int8, b String)", "struct<a: int8, b: utf8>"},
		{"Tuple(Int8, Nullable(String))", "struct<1: int8, 2: utf8 nullable>"},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			typ, err := ParseType(tt.typ)
			require.NoError(t, err)
			assert.Equal(t, tt.arrow, typ.ArrowType().String())
		})
	}

	many := &Type{Kind: Enum8}
	for i := range 200 {
		many.Enum = append(many.Enum, EnumValue{Name: string(rune('a'+i%26)) + string(rune('0'+i/26)), Value: int16(i - 128)})
	}
	require.NoError(t, checkType(many))
	assert.Equal(t, arrow.INT16, many.ArrowType().(*arrow.DictionaryType).IndexType.ID(), "an Enum8 with more than 128 names needs int16 indices")
}

func TestSchema(t *testing.T) {
	cols, err := ParseColumns([]string{"a Int32", "b Nullable(String)", "c LowCardinality(Nullable(String))", "d Array(Int8)"})
	require.NoError(t, err)
	s := Schema(cols)
	require.Equal(t, 4, s.NumFields())
	for i, nullable := range []bool{false, true, true, false} {
		f := s.Field(i)
		assert.Equal(t, cols[i].Name, f.Name)
		assert.Equal(t, nullable, f.Nullable, f.Name)
		v, ok := f.Metadata.GetValue(MetadataKey)
		require.True(t, ok)
		assert.Equal(t, cols[i].Type.String(), v)
	}
	back, err := ColumnsFromSchema(s)
	require.NoError(t, err)
	assert.Equal(t, cols, back)
}

func TestVirtualMetadataKey(t *testing.T) {
	for _, name := range virtualcols.Names() {
		f, err := virtualcols.Field(name)
		require.NoError(t, err)
		v, ok := f.Metadata.GetValue(MetadataKey)
		require.True(t, ok, "virtualcols uses block.MetadataKey")
		typ, err := ParseType(v)
		require.NoError(t, err)
		assert.True(t, arrow.TypeEqual(typ.ArrowType(), f.Type), "%s: %s vs %s", name, typ.ArrowType(), f.Type)
		assert.Equal(t, typ.IsNullable(), f.Nullable, name)
	}
}

// TestColumnsFromSchemaRoundTrip checks that inference inverts ArrowType for every type
// whose inverse is unique.
func TestColumnsFromSchemaRoundTrip(t *testing.T) {
	types := []string{
		"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64",
		"Bool", "String", "FixedString(5)", "Date32", "DateTime", "DateTime('Asia/Istanbul')",
		"DateTime64(3)", "DateTime64(6, 'Europe/Paris')", "DateTime64(9)", "Decimal(9, 2)", "Decimal(40, 3)",
		"Nullable(Int32)", "Nullable(String)", "LowCardinality(String)", "LowCardinality(Nullable(String))",
		"LowCardinality(UInt64)", "Array(Int32)", "Array(Nullable(String))", "Array(LowCardinality(String))",
		"Array(Array(Int8))", "Map(String, Array(Nullable(Int32)))", "Map(String, Nullable(Int64))",
		"Tuple(a Int8, b String)", "Tuple(Int8, Nullable(String))", "Tuple(a Tuple(b Int8), c Array(String))",
	}
	for _, s := range types {
		t.Run(s, func(t *testing.T) {
			typ, err := ParseType(s)
			require.NoError(t, err)
			f := arrow.Field{Name: "col", Type: typ.ArrowType(), Nullable: typ.IsNullable()}
			cols, err := ColumnsFromSchema(arrow.NewSchema([]arrow.Field{f}, nil))
			require.NoError(t, err)
			require.Len(t, cols, 1)
			assert.Equal(t, s, cols[0].Type.String())
		})
	}
}

func TestColumnsFromSchemaInference(t *testing.T) {
	tests := []struct {
		dt       arrow.DataType
		nullable bool
		want     string
	}{
		{arrow.BinaryTypes.LargeString, false, "String"},
		{arrow.BinaryTypes.Binary, false, "String"},
		{arrow.BinaryTypes.LargeBinary, true, "Nullable(String)"},
		{arrow.BinaryTypes.StringView, false, "String"},
		{&arrow.FixedSizeBinaryType{ByteWidth: 16}, false, "FixedString(16)"},
		{&uuidExt{arrow.ExtensionBase{Storage: &arrow.FixedSizeBinaryType{ByteWidth: 16}}}, false, "UUID"},
		{arrow.FixedWidthTypes.Date32, false, "Date32"},
		{&arrow.TimestampType{Unit: arrow.Second}, false, "DateTime"},
		{&arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, true, "Nullable(DateTime)"},
		{&arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Asia/Istanbul"}, false, "DateTime64(3, 'Asia/Istanbul')"},
		{&arrow.TimestampType{Unit: arrow.Nanosecond}, false, "DateTime64(9)"},
		{&arrow.Decimal128Type{Precision: 10, Scale: 2}, false, "Decimal(10, 2)"},
		{&arrow.Decimal256Type{Precision: 50, Scale: 5}, false, "Decimal(50, 5)"},
		{&arrow.Decimal64Type{Precision: 18, Scale: 3}, false, "Decimal(18, 3)"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, false, "LowCardinality(String)"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, true, "LowCardinality(Nullable(String))"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.PrimitiveTypes.Float64}, false, "LowCardinality(Float64)"},
		{arrow.ListOf(arrow.PrimitiveTypes.Int32), false, "Array(Nullable(Int32))"},
		{arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int32), true, "Array(Int32)"},
		{arrow.LargeListOf(arrow.BinaryTypes.String), false, "Array(Nullable(String))"},
		{arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int8)), false, "Array(Array(Nullable(Int8)))"},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), false, "Map(String, Nullable(Int64))"},
		{arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int8}, arrow.Field{Name: "y z", Type: arrow.BinaryTypes.String, Nullable: true}), true,
			"Tuple(x Int8, `y z` Nullable(String))"},
	}
	for _, tt := range tests {
		t.Run(tt.dt.String(), func(t *testing.T) {
			cols, err := ColumnsFromSchema(arrow.NewSchema([]arrow.Field{{Name: "f", Type: tt.dt, Nullable: tt.nullable}}, nil))
			require.NoError(t, err)
			assert.Equal(t, tt.want, cols[0].Type.String())
		})
	}
}

func TestColumnsFromSchemaMetadata(t *testing.T) {
	md := func(v string) arrow.Metadata { return arrow.NewMetadata([]string{MetadataKey}, []string{v}) }
	enum := "Enum8('a' = 1, 'b' = 2)"
	enumType, err := ParseType(enum)
	require.NoError(t, err)
	cols, err := ColumnsFromSchema(arrow.NewSchema([]arrow.Field{
		{Name: "e", Type: enumType.ArrowType(), Metadata: md(enum)},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Metadata: md("Date")},
		{Name: "u", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}, Metadata: md("UUID")},
	}, nil))
	require.NoError(t, err)
	assert.Equal(t, enumType, cols[0].Type, "Enum values are recovered from the metadata")
	assert.Equal(t, "Date", cols[1].Type.String())
	assert.Equal(t, "UUID", cols[2].Type.String())

	_, err = ColumnsFromSchema(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Metadata: md("Int32")}}, nil))
	require.ErrorContains(t, err, `block: field "x": arrow type int64 does not match its clickhouse.type Int32`)
	_, err = ColumnsFromSchema(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Metadata: md("Nope")}}, nil))
	require.ErrorContains(t, err, `block: field "x": block: parse type "Nope"`)
}

func TestColumnsFromSchemaErrors(t *testing.T) {
	tests := []struct {
		name string
		f    arrow.Field
		want string
	}{
		{"float16", arrow.Field{Name: "h", Type: arrow.FixedWidthTypes.Float16}, `block: field "h": unsupported arrow type float16`},
		{"date64", arrow.Field{Name: "d", Type: arrow.FixedWidthTypes.Date64}, `field "d": unsupported arrow type date64`},
		{"null", arrow.Field{Name: "n", Type: arrow.Null}, `field "n": unsupported arrow type null`},
		{"duration", arrow.Field{Name: "x", Type: arrow.FixedWidthTypes.Duration_s}, "unsupported arrow type duration"},
		{"nested", arrow.Field{Name: "l", Type: arrow.ListOf(arrow.FixedWidthTypes.Time32s)}, `field "l": unsupported arrow type time32[s]`},
		{"bad tz", arrow.Field{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "+03:00"}}, `unknown time zone "+03:00"`},
		{"dict of list", arrow.Field{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.ListOf(arrow.PrimitiveTypes.Int8)}}, "LowCardinality of Array"},
		{"map list key", arrow.Field{Name: "m", Type: arrow.MapOf(arrow.ListOf(arrow.PrimitiveTypes.Int8), arrow.PrimitiveTypes.Int8)}, "Map key"},
		{"empty struct", arrow.Field{Name: "s", Type: arrow.StructOf()}, "empty struct"},
		{"reserved", arrow.Field{Name: "_key", Type: arrow.BinaryTypes.String}, "reserved for a virtual column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ColumnsFromSchema(arrow.NewSchema([]arrow.Field{tt.f}, nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := ColumnsFromSchema(arrow.NewSchema([]arrow.Field{{Name: "_key", Type: arrow.BinaryTypes.String}}, nil))
	require.ErrorIs(t, err, ErrReservedName)
	_, err = ColumnsFromSchema(arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String}, {Name: "a", Type: arrow.PrimitiveTypes.Int8}}, nil))
	require.ErrorContains(t, err, `duplicate column name "a"`)
}
