package block

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type appendFunc func(c *Col) error

func txt(s string) appendFunc   { return func(c *Col) error { return c.AppendText([]byte(s)) } }
func i64(v int64) appendFunc    { return func(c *Col) error { return c.AppendInt(v) } }
func u64(v uint64) appendFunc   { return func(c *Col) error { return c.AppendUint(v) } }
func f64(v float64) appendFunc  { return func(c *Col) error { return c.AppendFloat(v) } }
func boolean(v bool) appendFunc { return func(c *Col) error { return c.AppendBool(v) } }
func null() appendFunc          { return func(c *Col) error { return c.AppendNull() } }
func deflt() appendFunc         { return func(c *Col) error { c.AppendDefault(); return nil } }

var bestEffort = Options{DateTimeBestEffort: true}

// TestConversions appends one value to a one-column table "x" and checks the Arrow value
// built from it, or the error.
func TestConversions(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		opts Options
		do   appendFunc
		want string // rendered cell
		err  string // error substring when non-empty
	}{
		// Integers.
		{"int8 text", "Int8", Options{}, txt("127"), "127", ""},
		{"int8 text min", "Int8", Options{}, txt("-128"), "-128", ""},
		{"int8 text plus", "Int8", Options{}, txt("+5"), "5", ""},
		{"int8 text range", "Int8", Options{}, txt("128"), "", `block: column "x" (Int8): value 128 out of range`},
		{"int8 text fraction", "Int8", Options{}, txt("1.5"), "", `block: column "x" (Int8): value "1.5" is not an integer`},
		{"int8 text empty", "Int8", Options{}, txt(""), "", `value "" is not an integer`},
		{"int8 text garbage", "Int8", Options{}, txt("12a"), "", `value "12a" is not an integer`},
		{"int8 int range", "Int8", Options{}, i64(-129), "", "value -129 out of range"},
		{"int8 uint range", "Int8", Options{}, u64(200), "", "value 200 out of range"},
		{"int8 float", "Int8", Options{}, f64(3), "3", ""},
		{"int8 float fraction", "Int8", Options{}, f64(3.5), "", "value 3.5 is not an integer"},
		{"int8 float nan", "Int8", Options{}, f64(math.NaN()), "", "value NaN is not an integer"},
		{"int8 bool", "Int8", Options{}, boolean(true), "1", ""},
		{"uint8 text", "UInt8", Options{}, txt("255"), "255", ""},
		{"uint8 text range", "UInt8", Options{}, txt("300"), "", `block: column "x" (UInt8): value 300 out of range`},
		{"uint8 negative text", "UInt8", Options{}, txt("-1"), "", "value -1 out of range"},
		{"uint8 negative int", "UInt8", Options{}, i64(-1), "", "value -1 out of range"},
		{"uint8 big float", "UInt8", Options{}, f64(1e300), "", "out of range"},
		{"uint16", "UInt16", Options{}, u64(65535), "65535", ""},
		{"uint32 range", "UInt32", Options{}, i64(1 << 32), "", "value 4294967296 out of range"},
		{"int16", "Int16", Options{}, txt("-32768"), "-32768", ""},
		{"int32", "Int32", Options{}, i64(math.MaxInt32), "2147483647", ""},
		{"int64 min", "Int64", Options{}, txt("-9223372036854775808"), "-9223372036854775808", ""},
		{"int64 text range", "Int64", Options{}, txt("9223372036854775808"), "", `value "9223372036854775808" out of range`},
		{"int64 huge text", "Int64", Options{}, txt("99999999999999999999"), "", "out of range"},
		{"int64 float range", "Int64", Options{}, f64(1e19), "", "out of range"},
		{"uint64 max text", "UInt64", Options{}, txt("18446744073709551615"), "18446744073709551615", ""},
		{"uint64 text range", "UInt64", Options{}, txt("18446744073709551616"), "", "out of range"},
		{"uint64 negative", "UInt64", Options{}, txt("-5"), "", "out of range"},
		{"uint64 max uint", "UInt64", Options{}, u64(math.MaxUint64), "18446744073709551615", ""},
		{"uint64 big float", "UInt64", Options{}, f64(1e19), "10000000000000000000", ""},
		{"uint64 2^64 float", "UInt64", Options{}, f64(0x1p64), "", "out of range"},
		{"uint64 int negative", "UInt64", Options{}, i64(-1), "", "value -1 out of range"},
		{"int uuid", "Int32", Options{}, txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), "", "is not an integer"},

		// Floats.
		{"float32 text", "Float32", Options{}, txt("0.5"), "0.5", ""},
		{"float32 inf", "Float32", Options{}, txt("inf"), "+Inf", ""},
		{"float32 -inf", "Float32", Options{}, txt("-inf"), "-Inf", ""},
		{"float32 nan", "Float32", Options{}, txt("nan"), "NaN", ""},
		{"float32 text range", "Float32", Options{}, txt("1e40"), "", `value "1e40" out of range`},
		{"float32 float range", "Float32", Options{}, f64(1e40), "", "value 1e+40 out of range"},
		{"float32 int", "Float32", Options{}, i64(3), "3", ""},
		{"float32 garbage", "Float32", Options{}, txt("abc"), "", `value "abc" is not a number`},
		{"float64 exp", "Float64", Options{}, txt("-1.25e-3"), "-0.00125", ""},
		{"float64 uint", "Float64", Options{}, u64(math.MaxUint64), "1.8446744073709552e+19", ""},
		{"float64 bool", "Float64", Options{}, boolean(true), "1", ""},
		{"float64 +inf", "Float64", Options{}, txt("+Inf"), "+Inf", ""},

		// Bool.
		{"bool true", "Bool", Options{}, txt("true"), "true", ""},
		{"bool FALSE", "Bool", Options{}, txt("FALSE"), "false", ""},
		{"bool 1", "Bool", Options{}, txt("1"), "true", ""},
		{"bool 0", "Bool", Options{}, txt("0"), "false", ""},
		{"bool yes", "Bool", Options{}, txt("yes"), "true", ""},
		{"bool 2", "Bool", Options{}, txt("2"), "", `value "2" is not a boolean`},
		{"bool int", "Bool", Options{}, i64(1), "true", ""},
		{"bool int 2", "Bool", Options{}, i64(2), "", "value 2 is not a boolean"},
		{"bool float", "Bool", Options{}, f64(0), "false", ""},
		{"bool float half", "Bool", Options{}, f64(0.5), "", "is not a boolean"},
		{"bool bool", "Bool", Options{}, boolean(true), "true", ""},

		// Strings.
		{"string", "String", Options{}, txt("AM"), "AM", ""},
		{"string bytes", "String", Options{}, txt("\xff\x00z"), "\xff\x00z", ""},
		{"string int", "String", Options{}, i64(-5), "-5", ""},
		{"string uint", "String", Options{}, u64(math.MaxUint64), "18446744073709551615", ""},
		{"string float", "String", Options{}, f64(0.5), "0.5", ""},
		{"string bool", "String", Options{}, boolean(true), "true", ""},
		{"fixed short", "FixedString(4)", Options{}, txt("ab"), "61620000", ""},
		{"fixed exact", "FixedString(4)", Options{}, txt("abcd"), "61626364", ""},
		{"fixed long", "FixedString(4)", Options{}, txt("abcde"), "", `block: column "x" (FixedString(4)): value "abcde" is longer than 4 bytes`},
		{"fixed int", "FixedString(4)", Options{}, i64(12), "31320000", ""},

		// Dates.
		{"date", "Date", Options{}, txt("2020-01-01"), "2020-01-01", ""},
		{"date compact", "Date", Options{}, txt("20200101"), "2020-01-01", ""},
		{"date day number", "Date", Options{}, txt("18262"), "2020-01-01", ""},
		{"date int", "Date", Options{}, i64(0), "1970-01-01", ""},
		{"date max", "Date", Options{}, txt("2149-06-06"), "2149-06-06", ""},
		{"date invalid", "Date", Options{}, txt("2020-02-30"), "", `value "2020-02-30" is not a date`},
		{"date leap", "Date", Options{}, txt("2020-02-29"), "2020-02-29", ""},
		{"date before", "Date", Options{}, txt("1969-12-31"), "", "out of range"},
		{"date after", "Date", Options{}, txt("2149-06-07"), "", "out of range"},
		{"date int range", "Date", Options{}, i64(65536), "", "value 65536 out of range"},
		{"date with time", "Date", Options{}, txt("2020-01-01 10:00:00"), "", "is not a date"},
		{"date float", "Date", Options{}, f64(1.5), "", "is not an integer"},
		{"date32 min", "Date32", Options{}, txt("1900-01-01"), "1900-01-01", ""},
		{"date32 max", "Date32", Options{}, txt("2299-12-31"), "2299-12-31", ""},
		{"date32 before", "Date32", Options{}, txt("1899-12-31"), "", "out of range"},
		{"date32 negative day", "Date32", Options{}, i64(-1), "1969-12-31", ""},
		{"date32 negative text", "Date32", Options{}, txt("-1"), "1969-12-31", ""},

		// DateTime, basic.
		{"datetime", "DateTime", Options{}, txt("2020-01-01 10:20:30"), "2020-01-01 10:20:30", ""},
		{"datetime unix", "DateTime", Options{}, txt("1577836800"), "2020-01-01 00:00:00", ""},
		{"datetime date only", "DateTime", Options{}, txt("2020-01-01"), "2020-01-01 00:00:00", ""},
		{"datetime T", "DateTime", Options{}, txt("2020-01-01T10:20:30"), "2020-01-01 10:20:30", ""},
		{"datetime fraction dropped", "DateTime", Options{}, txt("2020-01-01 10:20:30.789"), "2020-01-01 10:20:30", ""},
		{"datetime basic iso", "DateTime", Options{}, txt("2020-01-01T10:20:30Z"), "", "date_time_input_format='best_effort'"},
		{"datetime bad hour", "DateTime", Options{}, txt("2020-01-01 25:00:00"), "", "is not a date-time"},
		{"datetime before 1970", "DateTime", Options{}, txt("1969-12-31 23:59:59"), "", "out of range"},
		{"datetime max", "DateTime", Options{}, txt("2106-02-07 06:28:15"), "2106-02-07 06:28:15", ""},
		{"datetime after max", "DateTime", Options{}, txt("2106-02-07 06:28:16"), "", "out of range"},
		{"datetime int", "DateTime", Options{}, i64(1577836800), "2020-01-01 00:00:00", ""},
		{"datetime int negative", "DateTime", Options{}, i64(-1), "", "value -1 out of range"},
		{"datetime uint range", "DateTime", Options{}, u64(1 << 32), "", "out of range"},
		{"datetime float", "DateTime", Options{}, f64(1577836800.9), "2020-01-01 00:00:00", ""},
		{"datetime zone", "DateTime('Asia/Istanbul')", Options{}, txt("2020-01-01 03:00:00"), "2020-01-01 00:00:00", ""},
		{"datetime zone unix", "DateTime('Asia/Istanbul')", Options{}, txt("1577836800"), "2020-01-01 00:00:00", ""},
		{"datetime utc zone", "DateTime('UTC')", Options{}, txt("2020-01-01 03:00:00"), "2020-01-01 03:00:00", ""},
		{"datetime dst zone", "DateTime('Europe/Paris')", Options{}, txt("2020-07-01 12:00:00"), "2020-07-01 10:00:00", ""},

		// DateTime, best effort.
		{"be Z", "DateTime", bestEffort, txt("2020-01-01T10:20:30Z"), "2020-01-01 10:20:30", ""},
		{"be offset", "DateTime", bestEffort, txt("2020-01-01T10:20:30+03:00"), "2020-01-01 07:20:30", ""},
		{"be offset compact frac", "DateTime", bestEffort, txt("2020-01-01T10:20:30.123-0130"), "2020-01-01 11:50:30", ""},
		{"be space", "DateTime", bestEffort, txt("2020-01-01 10:20:30"), "2020-01-01 10:20:30", ""},
		{"be space zone", "DateTime", bestEffort, txt("2020-01-01 10:20:30 +03"), "2020-01-01 07:20:30", ""},
		{"be utc word", "DateTime", bestEffort, txt("2020-01-01 10:20:30 UTC"), "2020-01-01 10:20:30", ""},
		{"be compact", "DateTime", bestEffort, txt("20200101T102030Z"), "2020-01-01 10:20:30", ""},
		{"be yyyymmdd", "DateTime", bestEffort, txt("20200101"), "2020-01-01 00:00:00", ""},
		{"be 14 digits", "DateTime", bestEffort, txt("20200101102030"), "2020-01-01 10:20:30", ""},
		{"be unix", "DateTime", bestEffort, txt("1577836800"), "2020-01-01 00:00:00", ""},
		{"be loose", "DateTime", bestEffort, txt("2020-1-5 3:04"), "2020-01-05 03:04:00", ""},
		{"be slash", "DateTime", bestEffort, txt("2020/01/05"), "2020-01-05 00:00:00", ""},
		{"be garbage", "DateTime", bestEffort, txt("yesterday"), "", `value "yesterday" is not a date-time`},
		{"be bad zone", "DateTime", bestEffort, txt("2020-01-01T10:20:30+3"), "", "is not a date-time"},
		{"be zone column local", "DateTime('Asia/Istanbul')", bestEffort, txt("2020-01-01T03:00:00"), "2020-01-01 00:00:00", ""},
		{"be zone column explicit", "DateTime('Asia/Istanbul')", bestEffort, txt("2020-01-01T03:00:00Z"), "2020-01-01 03:00:00", ""},

		// DateTime64.
		{"dt64 text", "DateTime64(3)", Options{}, txt("2020-01-01 10:20:30.123"), "2020-01-01 10:20:30.123", ""},
		{"dt64 truncates", "DateTime64(3)", Options{}, txt("2020-01-01 10:20:30.123456"), "2020-01-01 10:20:30.123", ""},
		{"dt64 short fraction", "DateTime64(3)", Options{}, txt("2020-01-01 10:20:30.1"), "2020-01-01 10:20:30.1", ""},
		{"dt64 no fraction", "DateTime64(3)", Options{}, txt("2020-01-01 10:20:30"), "2020-01-01 10:20:30", ""},
		{"dt64 unix fraction", "DateTime64(3)", Options{}, txt("1577836800.25"), "2020-01-01 00:00:00.25", ""},
		{"dt64 int ticks", "DateTime64(3)", Options{}, i64(1577836800123), "2020-01-01 00:00:00.123", ""},
		{"dt64 float seconds", "DateTime64(3)", Options{}, f64(1577836800.5), "2020-01-01 00:00:00.5", ""},
		{"dt64 best effort", "DateTime64(6)", bestEffort, txt("2020-01-01T10:20:30.123456Z"), "2020-01-01 10:20:30.123456", ""},
		{"dt64 p2 ticks", "DateTime64(2)", Options{}, i64(12345), "1970-01-01 00:02:03.45", ""},
		{"dt64 p2 text", "DateTime64(2)", Options{}, txt("1970-01-01 00:00:01.456"), "1970-01-01 00:00:01.45", ""},
		{"dt64 p9", "DateTime64(9)", Options{}, txt("2020-01-01 00:00:00.123456789"), "2020-01-01 00:00:00.123456789", ""},
		{"dt64 p9 overflow", "DateTime64(9)", Options{}, txt("2263-01-01 00:00:00"), "", "out of range"},
		{"dt64 p0 min", "DateTime64(0)", Options{}, txt("1900-01-01 00:00:00"), "1900-01-01 00:00:00", ""},
		{"dt64 before min", "DateTime64(0)", Options{}, txt("1899-12-31 23:59:59"), "", "out of range"},
		{"dt64 negative ticks", "DateTime64(3)", Options{}, i64(-1500), "1969-12-31 23:59:58.5", ""},
		{"dt64 int overflow", "DateTime64(2)", Options{}, i64(math.MaxInt64), "", "out of range"},
		{"dt64 zone", "DateTime64(3, 'Asia/Istanbul')", Options{}, txt("2020-01-01 03:00:00.5"), "2020-01-01 00:00:00.5", ""},

		// Decimal.
		{"dec", "Decimal(5, 2)", Options{}, txt("123.45"), "123.45", ""},
		{"dec round up", "Decimal(5, 2)", Options{}, txt("123.456"), "123.46", ""},
		{"dec round down", "Decimal(5, 2)", Options{}, txt("123.454"), "123.45", ""},
		{"dec round half away", "Decimal(5, 2)", Options{}, txt("-123.455"), "-123.46", ""},
		{"dec round overflow", "Decimal(5, 2)", Options{}, txt("999.995"), "", `value "999.995" out of range`},
		{"dec overflow", "Decimal(5, 2)", Options{}, txt("1000"), "", `block: column "x" (Decimal(5, 2)): value "1000" out of range`},
		{"dec tiny", "Decimal(5, 2)", Options{}, txt("0.001"), "0.00", ""},
		{"dec tiny half", "Decimal(5, 2)", Options{}, txt("0.005"), "0.01", ""},
		{"dec tinier", "Decimal(5, 2)", Options{}, txt("0.0009"), "0.00", ""},
		{"dec negative zero", "Decimal(5, 2)", Options{}, txt("-0.001"), "0.00", ""},
		{"dec leading dot", "Decimal(5, 2)", Options{}, txt(".5"), "0.50", ""},
		{"dec plus", "Decimal(5, 2)", Options{}, txt("+7"), "7.00", ""},
		{"dec leading zeros", "Decimal(5, 2)", Options{}, txt("000123.4"), "123.40", ""},
		{"dec exponent", "Decimal(5, 2)", Options{}, txt("1e2"), "100.00", ""},
		{"dec negative exponent", "Decimal(5, 2)", Options{}, txt("1.5E-1"), "0.15", ""},
		{"dec garbage", "Decimal(5, 2)", Options{}, txt("abc"), "", `value "abc" is not a decimal number`},
		{"dec two dots", "Decimal(5, 2)", Options{}, txt("1.2.3"), "", "is not a decimal number"},
		{"dec empty", "Decimal(5, 2)", Options{}, txt(""), "", "is not a decimal number"},
		{"dec int", "Decimal(5, 2)", Options{}, i64(123), "123.00", ""},
		{"dec int negative", "Decimal(5, 2)", Options{}, i64(-999), "-999.00", ""},
		{"dec int range", "Decimal(5, 2)", Options{}, i64(1000), "", "value 1000 out of range"},
		{"dec float", "Decimal(5, 2)", Options{}, f64(0.1), "0.10", ""},
		{"dec float round", "Decimal(5, 2)", Options{}, f64(1.005), "1.01", ""},
		{"dec float nan", "Decimal(5, 2)", Options{}, f64(math.NaN()), "", "out of range"},
		{"dec bool", "Decimal(5, 2)", Options{}, boolean(true), "1.00", ""},
		{"dec 40", "Decimal(40, 3)", Options{}, txt("1234567890123456789012345678901234567.891"), "1234567890123456789012345678901234567.891", ""},
		{"dec 40 overflow", "Decimal(40, 3)", Options{}, txt("12345678901234567890123456789012345678.891"), "", "out of range"},
		{"dec 40 negative", "Decimal(40, 3)", Options{}, txt("-1.5"), "-1.500", ""},
		{"dec 40 uint", "Decimal(40, 3)", Options{}, u64(math.MaxUint64), "18446744073709551615.000", ""},
		{"dec 38 max", "Decimal(38, 0)", Options{}, txt(strings.Repeat("9", 38)), strings.Repeat("9", 38), ""},
		{"dec 38 over", "Decimal(38, 0)", Options{}, txt("1" + strings.Repeat("0", 38)), "", "out of range"},
		{"dec 76 max", "Decimal(76, 0)", Options{}, txt("-" + strings.Repeat("9", 76)), "-" + strings.Repeat("9", 76), ""},
		{"dec 76 scale", "Decimal(76, 76)", Options{}, txt("0.5"), "0.5" + strings.Repeat("0", 75), ""},
		{"dec 9", "Decimal(9, 4)", Options{}, txt("-12345.6789"), "-12345.6789", ""},
		{"dec 18 huge exponent", "Decimal(18, 0)", Options{}, txt("1e100000"), "", "out of range"},

		// UUID.
		{"uuid", "UUID", Options{}, txt("61f0c404-5cb3-11e7-907b-a6006ad3dba0"), "61f0c4045cb311e7907ba6006ad3dba0", ""},
		{"uuid upper", "UUID", Options{}, txt("61F0C404-5CB3-11E7-907B-A6006AD3DBA0"), "61f0c4045cb311e7907ba6006ad3dba0", ""},
		{"uuid 32", "UUID", Options{}, txt("61f0c4045cb311e7907ba6006ad3dba0"), "61f0c4045cb311e7907ba6006ad3dba0", ""},
		{"uuid bad", "UUID", Options{}, txt("61f0c404-5cb3-11e7-907b-a6006ad3dbaz"), "", "is not a UUID"},
		{"uuid misplaced dash", "UUID", Options{}, txt("00000000-0000-0000-0000-00000000-000"), "", "is not a UUID"},
		{"uuid short", "UUID", Options{}, txt("xyz"), "", `value "xyz" is not a UUID`},
		{"uuid int", "UUID", Options{}, i64(1), "", `block: column "x" (UUID): cannot be set from an integer`},

		// Enum.
		{"enum name", "Enum8('a' = 1, 'b' = 2)", Options{}, txt("a"), "a", ""},
		{"enum number text", "Enum8('a' = 1, 'b' = 2)", Options{}, txt("2"), "b", ""},
		{"enum unknown name", "Enum8('a' = 1, 'b' = 2)", Options{}, txt("c"), "", `value "c" is not a name of the enum`},
		{"enum unknown number text", "Enum8('a' = 1, 'b' = 2)", Options{}, txt("3"), "", "value 3 is not a value of the enum"},
		{"enum int", "Enum8('a' = 1, 'b' = 2)", Options{}, i64(2), "b", ""},
		{"enum int unknown", "Enum8('a' = 1, 'b' = 2)", Options{}, i64(3), "", "value 3 is not a value of the enum"},
		{"enum int huge", "Enum8('a' = 1, 'b' = 2)", Options{}, i64(1 << 40), "", "is not a value of the enum"},
		{"enum float", "Enum8('a' = 1, 'b' = 2)", Options{}, f64(1), "a", ""},
		{"enum default first", "Enum8('a' = 1, 'b' = 2)", Options{}, deflt(), "a", ""},
		{"enum default zero", "Enum8('x' = 5, 'zero' = 0)", Options{}, deflt(), "zero", ""},
		{"enum16", "Enum16('lo' = -1000, 'hi' = 1000)", Options{}, i64(-1000), "lo", ""},
		{"enum bool", "Enum8('a' = 1)", Options{}, boolean(true), "", "cannot be set from a boolean"},

		// NULL and defaults.
		{"nullable null", "Nullable(Int32)", Options{}, null(), "NULL", ""},
		{"nullable value", "Nullable(Int32)", Options{}, txt("5"), "5", ""},
		{"nullable default", "Nullable(Int32)", Options{}, deflt(), "NULL", ""},
		{"nullable string null", "Nullable(String)", Options{}, null(), "NULL", ""},
		{"null not nullable", "Int32", Options{}, null(), "", `block: column "x" (Int32): NULL for a non-Nullable column`},
		{"null as default", "Int32", Options{NullAsDefault: true}, null(), "0", ""},
		{"null as default string", "String", Options{NullAsDefault: true}, null(), "", ""},
		{"null as default enum", "Enum8('a' = 1, 'b' = 2)", Options{NullAsDefault: true}, null(), "a", ""},
		{"lowcard", "LowCardinality(String)", Options{}, txt("x"), "x", ""},
		{"lowcard null default", "LowCardinality(String)", Options{NullAsDefault: true}, null(), "", ""},
		{"lowcard nullable null", "LowCardinality(Nullable(String))", Options{}, null(), "NULL", ""},
		{"lowcard int", "LowCardinality(UInt16)", Options{}, txt("7"), "7", ""},
		{"lowcard int range", "LowCardinality(UInt16)", Options{}, txt("70000"), "", `(LowCardinality(UInt16)): value 70000 out of range`},

		// Literals of nested types.
		{"array literal", "Array(Int32)", Options{}, txt("[1, 2,3]"), "[1,2,3]", ""},
		{"array literal empty", "Array(Int32)", Options{}, txt(" [ ] "), "[]", ""},
		{"array literal quoted number", "Array(Int32)", Options{}, txt("[1,'2']"), "[1,2]", ""},
		{"array literal unterminated", "Array(Int32)", Options{}, txt("[1,2"), "", `value "[1,2" is not a valid Array literal`},
		{"array literal trailing", "Array(Int32)", Options{}, txt("[1] x"), "", "is not a valid Array literal"},
		{"array literal element range", "Array(UInt8)", Options{}, txt("[1,300]"), "", `block: column "x[]" (UInt8): value 300 out of range`},
		{"array literal strings", "Array(Nullable(String))", Options{}, txt(`['a', NULL, 'it\'s', "dq", 'x''y']`), "[a,NULL,it's,dq,x'y]", ""},
		{"array literal nested", "Array(Array(Int8))", Options{}, txt("[[1],[],[2,3]]"), "[[1],[],[2,3]]", ""},
		{"array literal null element", "Array(Int8)", Options{}, txt("[NULL]"), "", "NULL for a non-Nullable column"},
		{"map literal", "Map(String, Array(Nullable(Int32)))", Options{}, txt("{'a': [1, NULL], 'b': []}"), "{a:[1,NULL],b:[]}", ""},
		{"map literal empty", "Map(String, Int32)", Options{}, txt("{}"), "{}", ""},
		{"map literal missing colon", "Map(String, Int32)", Options{}, txt("{'a' 1}"), "", "is not a valid Map literal"},
		{"tuple literal", "Tuple(a Int8, b String)", Options{}, txt("(1, 'x')"), "(1,x)", ""},
		{"tuple literal short", "Tuple(a Int8, b String)", Options{}, txt("(1)"), "", "is not a valid Tuple literal"},
		{"array of tuples literal", "Array(Tuple(Int8, String))", Options{}, txt("[(1,'a'),(2,'b')]"), "[(1,a),(2,b)]", ""},
		{"array lowcard literal", "Array(LowCardinality(String))", Options{}, txt("['x','y','x']"), "[x,y,x]", ""},
		{"array int", "Array(Int8)", Options{}, i64(1), "", `block: column "x" (Array(Int8)): cannot be set from an integer`},
		{"array null", "Array(Int8)", Options{}, null(), "", "NULL for a non-Nullable column"},
		{"array null default", "Array(Int8)", Options{NullAsDefault: true}, null(), "[]", ""},
		{"map null default", "Map(String, Int8)", Options{NullAsDefault: true}, null(), "{}", ""},
		{"tuple null default", "Tuple(a Int8, b String)", Options{NullAsDefault: true}, null(), "(0,)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)

			cols := mustColumns(t, "x "+tt.typ)
			rows := NewRows(cols, tt.opts)
			c := rows.Col(0)
			err := tt.do(c)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				var ve *ValueError
				assert.True(t, errors.As(err, &ve), "a *ValueError: %T", err)
				assert.Equal(t, 0, c.Len(), "a failed append stages nothing")
				return
			}
			require.NoError(t, err)
			require.Equal(t, 1, c.Len())
			require.NoError(t, rows.EndRow())
			got := build(t, mem, rows)
			assert.Equal(t, []string{tt.want}, got[0])
		})
	}
}

func TestValueError(t *testing.T) {
	rows := NewRows(mustColumns(t, "val3 UInt8", "n Int32"), Options{})
	err := rows.Col(0).AppendInt(300)
	require.EqualError(t, err, `block: column "val3" (UInt8): value 300 out of range`)
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ValueError{Column: "val3", Type: "UInt8", Value: "300", Reason: "out of range"}, *ve)

	err = rows.Col(1).AppendNull()
	require.ErrorIs(t, err, ErrNotNullable)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "n", ve.Column)

	long := strings.Repeat("x", 1000)
	err = rows.Col(0).AppendText([]byte(long))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "long values are cut in messages")
}

func TestUnknownZoneInHandBuiltType(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := []Column{{Name: "t", Type: &Type{Kind: DateTime, TZ: "No/Where"}}}
	rows := NewRows(cols, Options{})
	err := rows.Col(0).AppendText([]byte("2020-01-01 00:00:00"))
	require.ErrorContains(t, err, `unknown time zone "No/Where"`)
	require.NoError(t, rows.Col(0).AppendInt(5), "integers need no zone")
	_, err = NewBuilder(mem, cols, nil)
	require.ErrorContains(t, err, `block: column "t"`)
	require.ErrorContains(t, err, `unknown time zone "No/Where"`)
}

func TestRowsBasics(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t, "a Int32", "b String", "c Nullable(Float64)")
	rows := NewRows(cols, Options{})
	assert.Equal(t, cols, rows.Columns())
	assert.Equal(t, 3, rows.NumCols())
	assert.Equal(t, 0, rows.Index("a"))
	assert.Equal(t, 2, rows.Index("c"))
	assert.Equal(t, -1, rows.Index("zzz"))
	a, b, c := rows.Col(0), rows.Col(1), rows.Col(2)
	assert.Equal(t, "a", a.Name())
	assert.Equal(t, "Nullable(Float64)", c.Type().String())

	// Row 1: all set. Row 2: only b (a and c get defaults). Row 3: nothing.
	require.NoError(t, a.AppendInt(1))
	require.NoError(t, b.AppendText([]byte("one")))
	require.NoError(t, c.AppendFloat(1.5))
	require.NoError(t, rows.EndRow())
	require.NoError(t, b.AppendText([]byte("two")))
	require.NoError(t, rows.EndRow())
	require.NoError(t, rows.EndRow())
	assert.Equal(t, 3, rows.Len())

	// A column set twice fails and discards only the partial row.
	require.NoError(t, a.AppendInt(4))
	require.NoError(t, a.AppendInt(5))
	require.NoError(t, b.AppendText([]byte("dropped")))
	err := rows.EndRow()
	require.EqualError(t, err, `block: column "a" (Int32): value set twice in one row`)
	assert.Equal(t, 3, rows.Len())
	assert.Equal(t, 3, a.Len())
	assert.Equal(t, 3, b.Len())

	require.NoError(t, a.AppendInt(6))
	require.NoError(t, rows.EndRow())

	got := build(t, mem, rows)
	assert.Equal(t, []string{"1", "0", "0", "6"}, got[0])
	assert.Equal(t, []string{"one", "two", "", ""}, got[1])
	assert.Equal(t, []string{"1.5", "NULL", "NULL", "NULL"}, got[2])

	// Reset drops everything, including a partial row.
	require.NoError(t, a.AppendInt(7))
	rows.Reset()
	assert.Equal(t, 0, rows.Len())
	assert.Equal(t, 0, a.Len())
	require.NoError(t, b.AppendText([]byte("after")))
	require.NoError(t, rows.EndRow())
	got = build(t, mem, rows)
	assert.Equal(t, [][]string{{"0"}, {"after"}, {"NULL"}}, got)
}

func TestNestedStaging(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := mustColumns(t,
		"a Array(Nullable(Int32))",
		"m Map(String, Array(Nullable(Int32)))",
		"t Tuple(a Int8, b String)",
		"u Tuple(Int8, Array(String))",
		"aa Array(Array(LowCardinality(String)))",
	)
	rows := NewRows(cols, Options{})
	a, m, tu, u, aa := rows.Col(0), rows.Col(1), rows.Col(2), rows.Col(3), rows.Col(4)

	assert.Equal(t, "a[]", a.BeginArray().Name())
	k, v := m.BeginMap()
	assert.Equal(t, "m.key", k.Name())
	assert.Equal(t, "m.value", v.Name())
	assert.Equal(t, "m.value[]", v.BeginArray().Name())
	assert.Equal(t, 2, tu.NumFields())
	assert.Equal(t, "t.a", tu.Field(0).Name())
	assert.Equal(t, "u.1", u.Field(0).Name())
	assert.Equal(t, "u.2[]", u.Field(1).BeginArray().Name())
	assert.Equal(t, 1, tu.FieldIndex("b"))
	assert.Equal(t, 1, tu.FieldIndex("2"), "positions name elements too")
	assert.Equal(t, 0, u.FieldIndex("1"))
	assert.Equal(t, -1, tu.FieldIndex("c"))
	assert.Equal(t, -1, a.FieldIndex("a"))
	assert.Equal(t, 0, a.NumFields())
	rows.Reset()

	// Row 1: everything set through Begin/End.
	e := a.BeginArray()
	require.NoError(t, e.AppendInt(1))
	require.NoError(t, e.AppendNull())
	require.NoError(t, e.AppendText([]byte("3")))
	a.EndArray()
	k, v = m.BeginMap()
	require.NoError(t, k.AppendText([]byte("x")))
	ve := v.BeginArray()
	require.NoError(t, ve.AppendInt(7))
	v.EndArray()
	require.NoError(t, k.AppendText([]byte("y")))
	v.BeginArray()
	v.EndArray()
	require.NoError(t, m.EndMap())
	tu.BeginTuple()
	require.NoError(t, tu.Field(1).AppendText([]byte("bee")))
	require.NoError(t, tu.EndTuple())
	require.NoError(t, u.Field(0).AppendInt(9)) // no BeginTuple: EndRow ends it
	outer := aa.BeginArray()
	inner := outer.BeginArray()
	require.NoError(t, inner.AppendText([]byte("p")))
	require.NoError(t, inner.AppendText([]byte("q")))
	outer.EndArray()
	inner = outer.BeginArray()
	require.NoError(t, inner.AppendText([]byte("p")))
	outer.EndArray()
	aa.EndArray()
	require.NoError(t, rows.EndRow())

	// Row 2: defaults everywhere.
	require.NoError(t, rows.EndRow())

	// Row 3: errors.
	k, _ = m.BeginMap()
	require.NoError(t, k.AppendText([]byte("lonely")))
	require.EqualError(t, m.EndMap(), `block: column "m" (Map(String, Array(Nullable(Int32)))): map value with 1 keys and 0 values`)
	err := rows.EndRow()
	require.ErrorContains(t, err, `column "m"`)
	require.ErrorContains(t, err, "Map not ended")
	assert.Equal(t, 2, rows.Len())

	a.BeginArray()
	require.ErrorContains(t, rows.EndRow(), `block: column "a" (Array(Nullable(Int32))): Array not ended`)

	tu.BeginTuple()
	require.NoError(t, tu.Field(0).AppendInt(1))
	require.NoError(t, tu.Field(0).AppendInt(2))
	require.EqualError(t, tu.EndTuple(), `block: column "t.a" (Int8): tuple element set twice`)
	rows.Reset()
	require.NoError(t, rows.EndRow())
	require.NoError(t, rows.EndRow())
	assert.Equal(t, 2, rows.Len())
	rows.Reset()

	// Redo rows 1 and 2 after the Reset and check the Arrow result.
	e = a.BeginArray()
	require.NoError(t, e.AppendInt(1))
	require.NoError(t, e.AppendNull())
	require.NoError(t, e.AppendInt(3))
	a.EndArray()
	require.NoError(t, m.AppendText([]byte("{'x': [7], 'y': []}")))
	require.NoError(t, tu.Field(1).AppendText([]byte("bee")))
	require.NoError(t, u.Field(0).AppendInt(9))
	require.NoError(t, aa.AppendText([]byte("[['p','q'],['p']]")))
	require.NoError(t, rows.EndRow())
	require.NoError(t, rows.EndRow())

	got := build(t, mem, rows)
	assert.Equal(t, []string{"[1,NULL,3]", "[]"}, got[0])
	assert.Equal(t, []string{"{x:[7],y:[]}", "{}"}, got[1])
	assert.Equal(t, []string{"(0,bee)", "(0,)"}, got[2])
	assert.Equal(t, []string{"(9,[])", "(0,[])"}, got[3])
	assert.Equal(t, []string{"[[p,q],[p]]", "[]"}, got[4])
}

func TestWrongKindPanics(t *testing.T) {
	rows := NewRows(mustColumns(t, "i Int32"), Options{})
	c := rows.Col(0)
	assert.PanicsWithValue(t, `block: BeginArray on column "i" of type Int32`, func() { c.BeginArray() })
	assert.Panics(t, func() { c.EndArray() })
	assert.Panics(t, func() { c.BeginMap() })
	assert.Panics(t, func() { _ = c.EndMap() })
	assert.Panics(t, func() { c.BeginTuple() })
	assert.Panics(t, func() { _ = c.EndTuple() })
	assert.Panics(t, func() { c.Field(0) })
}

// TestStagingAllocs checks that Col appends of every scalar kind do not allocate once the
// staging slices have grown.
func TestStagingAllocs(t *testing.T) {
	cols := mustColumns(t,
		"i Int64", "u UInt8", "f Float32", "s String", "fs FixedString(4)", "b Bool", "d Date",
		"dt DateTime('Asia/Istanbul')", "dt64 DateTime64(3)", "dec Decimal(10, 2)", "dec2 Decimal(50, 5)",
		"uuid UUID", "e Enum8('a' = 1, 'b' = 2)", "n Nullable(Int32)", "lc LowCardinality(String)",
		"arr Array(Int32)", "m Map(String, Int32)", "t Tuple(a Int8, b String)")
	rows := NewRows(cols, Options{DateTimeBestEffort: true})
	texts := map[string]string{
		"i": "-123456789", "u": "200", "f": "0.5", "s": "hello", "fs": "ab", "b": "true", "d": "2020-01-01",
		"dt": "2020-01-01T10:20:30+03:00", "dt64": "2020-01-01 10:20:30.123", "dec": "123.456",
		"dec2": "-12345678901234567890.123456", "uuid": "61f0c404-5cb3-11e7-907b-a6006ad3dba0", "e": "b",
		"n": "5", "lc": "x", "arr": "[1,2,3]", "m": "{'k':1}", "t": "(1,'x')",
	}
	vals := make([][]byte, len(cols))
	for i, c := range cols {
		vals[i] = []byte(texts[c.Name])
	}
	row := func() {
		for i := range vals {
			if err := rows.Col(i).AppendText(vals[i]); err != nil {
				panic(err)
			}
		}
		if err := rows.EndRow(); err != nil {
			panic(err)
		}
		_ = rows.Col(1).AppendFloat(7)
		_ = rows.Col(9).AppendFloat(1.25)
		_ = rows.Col(8).AppendInt(1577836800123)
		_ = rows.Col(13).AppendNull()
		if err := rows.EndRow(); err != nil {
			panic(err)
		}
	}
	for range 100 {
		row()
	}
	rows.Reset()
	allocs := testing.AllocsPerRun(200, func() {
		row()
		if rows.Len() >= 100 {
			rows.Reset()
		}
	})
	assert.Zero(t, allocs)
}

// TestEndArrayAlone: EndArray without BeginArray appends an empty Array, as the JSON
// readers do for [].
func TestEndArrayAlone(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := NewRows(mustColumns(t, "a Array(Int32)", "aa Array(Array(LowCardinality(String)))"), Options{})
	a, aa := rows.Col(0), rows.Col(1)
	a.EndArray()
	outer := aa.BeginArray()
	outer.EndArray()
	require.NoError(t, outer.BeginArray().AppendText([]byte("p")))
	outer.EndArray()
	aa.EndArray()
	require.NoError(t, rows.EndRow())
	require.NoError(t, a.BeginArray().AppendInt(5))
	a.EndArray()
	aa.EndArray()
	require.NoError(t, rows.EndRow())
	got := build(t, mem, rows)
	assert.Equal(t, []string{"[]", "[5]"}, got[0])
	assert.Equal(t, []string{"[[],[p]]", "[]"}, got[1])
}

// TestEndRowOpen checks that EndRow refuses a row whose every column has one value but
// one of which is begun again and left open.
func TestEndRowOpen(t *testing.T) {
	for _, def := range []string{"a Array(Int8)", "a Map(String, Int8)", "a Tuple(Int8)"} {
		rows := NewRows(mustColumns(t, "x Int8", def), Options{})
		x, a := rows.Col(0), rows.Col(1)
		require.NoError(t, x.AppendInt(1))
		a.AppendDefault()
		switch a.rep {
		case repList:
			a.BeginArray()
		case repMap:
			a.BeginMap()
		case repTuple:
			a.BeginTuple()
		}
		require.ErrorContains(t, rows.EndRow(), "value set twice in one row", def)
		assert.Equal(t, 0, rows.Len())
	}
}
