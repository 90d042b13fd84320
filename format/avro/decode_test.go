package avro

import (
	"bytes"
	"math/big"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/chkafka/chkafka/format/internal/codectest"
	"github.com/linkedin/goavro/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goavroOCF writes rows with goavro's OCF writer, independently of our encoder.
func goavroOCF(t testing.TB, schema, codec string, rows ...map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &b, Schema: schema, CompressionName: codec})
	require.NoError(t, err)
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = r
	}
	require.NoError(t, w.Append(items))
	return b.Bytes()
}

const matrixSchema = `{"name":"row","type":"record","fields":[{"name":"id","type":"long"},{"name":"blockNo","type":"int"},{"name":"val1","type":"string"},{"name":"val2","type":"float"},{"name":"val3","type":"int"}]}`

func matrixRow(id int64) map[string]any {
	return map[string]any{"id": id, "blockNo": int32(0), "val1": "AM", "val2": float32(0.5), "val3": int32(1)}
}

// VECTORS §1: M1, M2 (15 rows in one container) and M3, written by goavro's OCF writer.
func TestMatrix(t *testing.T) {
	for _, codec := range []string{"null", "deflate", "snappy"} {
		t.Run(codec, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
			defer h.Release()
			var m2 []map[string]any
			for i := int64(1); i <= 15; i++ {
				m2 = append(m2, matrixRow(i))
			}
			m1 := goavroOCF(t, matrixSchema, codec, matrixRow(0))
			h.MustDecode(m1, goavroOCF(t, matrixSchema, codec, m2...), m1)
			rec := h.Record()
			defer rec.Release()
			codectest.CheckMatrix(t, rec)
		})
	}
	t.Run("testdata", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
		defer h.Release()
		h.MustDecode(codectest.ReadTestdata(t, "matrix_m1.avro"), codectest.ReadTestdata(t, "matrix_m2_snappy.avro"), codectest.ReadTestdata(t, "matrix_m1.avro"))
		rec := h.Record()
		defer rec.Release()
		codectest.CheckMatrix(t, rec)
	})
}

// VECTORS §3 and §11.5: garbage is exactly one error per message, with ClickHouse's text.
func TestGarbage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, []string{"key UInt64", "value UInt64"}, defaults())
	defer h.Release()
	for _, p := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "Broken message\nBroken message\nBroken message\n", "", "Obj"} {
		n, err := h.Decode([]byte(p))
		require.Error(t, err, "%q", p)
		assert.Zero(t, n)
		assert.Contains(t, err.Error(), "Invalid data file. Magic does not match", "%q", p)
	}
	// Truncations of a valid container fail, never panic, never give rows.
	full := codectest.ReadTestdata(t, "matrix_m2.avro")
	for k := len(magic); k < len(full); k++ {
		n, err := h.Decode(full[:k])
		if err == nil {
			// Cut exactly between blocks: the header alone is a valid empty container.
			assert.Zero(t, n)
			continue
		}
		assert.Zero(t, n)
	}
}

func TestBrokenBlocks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := codectest.NewHarness(t, mem, Format{}, codectest.MatrixCols, defaults())
	defer h.Release()
	good := codectest.ReadTestdata(t, "matrix_m1.avro")

	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 0xff // sync marker
	_, err := h.Decode(bad)
	require.ErrorContains(t, err, "invalid sync marker")

	bad = append(bytes.Clone(good), 0x02) // trailing byte: a block without size
	_, err = h.Decode(bad)
	require.ErrorContains(t, err, "invalid block")

	// A record whose long overflows.
	body := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
	_, err = h.Decode(withBlock(t, good, 1, body))
	require.ErrorContains(t, err, "field id: malformed variable-length integer: (at row 1)")
}

// withBlock replaces the data blocks of an uncompressed container by one block.
func withBlock(t *testing.T, file []byte, count int64, data []byte) []byte {
	t.Helper()
	r := &reader{buf: file}
	var c container
	require.NoError(t, readHeader(r, &c))
	out := append([]byte(nil), file[:r.pos]...)
	out = appendLong(out, count)
	out = appendBytes(out, data)
	return append(out, c.sync[:]...)
}

// The table is the reader's view: fields by name, promotions, missing fields, unions,
// enums, nested records, logical types.
func TestReaderView(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const schema = `{"type":"record","name":"ev","namespace":"com.example","fields":[
		{"name":"i","type":"int"},
		{"name":"l","type":"long"},
		{"name":"f","type":"float"},
		{"name":"s","type":"string"},
		{"name":"by","type":"bytes"},
		{"name":"ns","type":["null","string"]},
		{"name":"sn","type":["string","null"]},
		{"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
		{"name":"ei","type":"Color"},
		{"name":"arr","type":{"type":"array","items":"int"}},
		{"name":"m","type":{"type":"map","values":["null","long"]}},
		{"name":"rec","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"},{"name":"y","type":"string"},{"name":"z","type":"double"}]}},
		{"name":"flat","type":"Inner"},
		{"name":"d","type":{"type":"int","logicalType":"date"}},
		{"name":"tsm","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}},
		{"name":"fdec","type":{"type":"fixed","name":"F8","size":8,"logicalType":"decimal","precision":12,"scale":2}},
		{"name":"u","type":{"type":"string","logicalType":"uuid"}},
		{"name":"fx","type":{"type":"fixed","name":"F3","size":3}},
		{"name":"ignored","type":{"type":"array","items":{"type":"map","values":"Inner"}}}
	]}`
	ts := time.Date(2021, 8, 15, 4, 0, 0, 123456000, time.UTC)
	row := map[string]any{
		"i": int32(-5), "l": int64(1) << 40, "f": float32(1.5), "s": "str", "by": []byte("bin"),
		"ns": goavro.Union("string", "x"), "sn": nil, "e": "GREEN", "ei": "BLUE",
		"arr": []any{int32(1), int32(2)}, "m": map[string]any{"k": goavro.Union("long", int64(7))},
		"rec":  map[string]any{"x": int32(1), "y": "a", "z": 2.5},
		"flat": map[string]any{"x": int32(9), "y": "b", "z": -1.0},
		"d":    ts, "tsm": ts, "tsu": ts,
		"dec": big.NewRat(-12345, 1000), "fdec": big.NewRat(98765, 100),
		"u": "61f0c404-5cb3-11e7-907b-a6006ad3dba0", "fx": []byte("abc"),
		"ignored": []any{map[string]any{"k": map[string]any{"x": int32(1), "y": "", "z": 0.0}}},
	}
	payload := goavroOCF(t, schema, "null", row)

	h := codectest.NewHarness(t, mem, Format{}, []string{
		"l Float64", "i Int64", "f Float64", "s String", "by String", "ns Nullable(String)", "sn Nullable(String)",
		"e Enum8('RED' = 1, 'GREEN' = 2, 'BLUE' = 3)", "ei UInt8", "arr Array(Int64)", "m Map(String, Nullable(Int64))",
		"rec Tuple(z Float32, x Int32)", "`flat.y` String", "`flat.x` UInt8", "d Date", "tsm DateTime64(3, 'UTC')",
		"tsu DateTime64(6, 'UTC')", "dec Decimal(10, 3)", "fdec Decimal(12, 2)", "u UUID", "fx FixedString(3)",
		"missing Nullable(Int32)", "missing2 String",
	}, defaults())
	defer h.Release()
	h.MustDecode(payload)
	rec := h.Record()
	defer rec.Release()
	want := []string{
		"1.099511627776e+12", "-5", "1.5", "str", "bin", "x", "(null)",
		"GREEN", "2", "[1,2]", `[{"key":"k","value":7}]`,
		`{"x":1,"z":2.5}`, "b", "9", "2021-08-15", "2021-08-15T04:00:00.123Z",
		"2021-08-15T04:00:00.123456Z", "-12.345", "987.65", "", "YWJj",
		"(null)", "",
	}
	for k := range want {
		got := codectest.Strs(rec.Column(k))
		require.Len(t, got, 1)
		if rec.ColumnName(k) == "u" {
			continue
		}
		assert.Equal(t, want[k], got[0], "column %s", rec.ColumnName(k))
	}
	assert.Equal(t, []byte{0x61, 0xf0, 0xc4, 0x04, 0x5c, 0xb3, 0x11, 0xe7, 0x90, 0x7b, 0xa6, 0x00, 0x6a, 0xd3, 0xdb, 0xa0},
		[]byte(rec.Column(19).(interface{ Value(int) []byte }).Value(0)))
}

func TestReaderViewErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const schema = `{"type":"record","name":"r","fields":[{"name":"a","type":"long"},{"name":"arr","type":{"type":"array","items":"int"}}]}`
	payload := goavroOCF(t, schema, "null", map[string]any{"a": int64(300), "arr": []any{int32(1)}})

	h := codectest.NewHarness(t, mem, Format{}, []string{"a UInt8"}, defaults())
	defer h.Release()
	_, err := h.Decode(payload)
	require.ErrorContains(t, err, `column "a" (UInt8): value 300 out of range`)
	require.ErrorContains(t, err, "(at row 1)")

	h = codectest.NewHarness(t, mem, Format{}, []string{"arr Int32"}, defaults())
	defer h.Release()
	_, err = h.Decode(payload)
	require.ErrorContains(t, err, "column arr (Int32): cannot read Avro type array<int> into a column of type Int32")

	h = codectest.NewHarness(t, mem, Format{}, []string{"a Int64"}, defaults())
	defer h.Release()
	_, err = h.Decode(goavroOCF(t, `"long"`, "null"))
	require.ErrorContains(t, err, "the root schema must be a record")
}

// ClickHouse's own output wraps UInt32, DateTime and UInt64 around into int and long.
func TestUnsignedWrapAround(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const schema = `{"type":"record","name":"row","fields":[{"name":"u32","type":"int"},{"name":"dt","type":"int"},{"name":"u64","type":"long"}]}`
	payload := goavroOCF(t, schema, "null", map[string]any{"u32": int32(-1), "dt": int32(-2), "u64": int64(-1)})
	h := codectest.NewHarness(t, mem, Format{}, []string{"u32 UInt32", "dt DateTime('UTC')", "u64 UInt64"}, defaults())
	defer h.Release()
	h.MustDecode(payload)
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"4294967295"}, codectest.Strs(rec.Column(0)))
	assert.Equal(t, []string{"2106-02-07T06:28:14Z"}, codectest.Strs(rec.Column(1)))
	assert.Equal(t, []string{"18446744073709551615"}, codectest.Strs(rec.Column(2)))
}
