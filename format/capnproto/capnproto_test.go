package capnproto

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	_ "time/tzdata"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/virtualcols"
)

// VECTORS §1: CapnProto with kafka_schema 'test:TestRecordStruct'; our encoder writes the
// same bytes as ClickHouse.
func TestMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, matrixCols, settings("test:TestRecordStruct"))
	defer h.Release()
	m1, m2 := readFile(t, "matrix_m1.bin"), readFile(t, "matrix_m2.bin")
	h.MustDecode(m1, m2, m1)
	rec := h.Record()
	defer rec.Release()
	checkMatrix(t, rec)

	_, err := h.Decode(nil)
	require.ErrorContains(t, err, "Cannot read all data. Bytes read: 0. Bytes expected: 4")

	s := settings("test:TestRecordStruct")
	enc, err := Format{}.NewEncoder(rec.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, rec, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, m1, out)
	out, err = enc.Append(nil, rec, 1, 16)
	require.NoError(t, err)
	assert.Equal(t, m2, out)
}

// VECTORS §3 and §11.5: garbage is exactly one error per message.
func TestGarbage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, []string{"key UInt64", "value UInt64"}, settings("schema_test_errors:Message"))
	defer h.Release()
	for _, p := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "Broken message\nBroken message\nBroken message\n"} {
		n, err := h.Decode([]byte(p))
		require.Error(t, err, "%q", p)
		assert.Zero(t, n)
		assert.Contains(t, err.Error(), "(at row 1)")
	}
	full := readFile(t, "matrix_m2.bin")
	for k := 1; k < len(full); k++ {
		n, err := h.Decode(full[:k])
		if k%48 == 0 {
			require.NoError(t, err)
			continue
		}
		require.Error(t, err, "cut at %d", k)
		assert.Zero(t, n)
	}
}

// The schema comes from the capnp compiler, or from a CodeGeneratorRequest compiled ahead
// of time (<file>.bin).
func TestSchemaSources(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	m1 := readFile(t, "matrix_m1.bin")
	decodeWith := func(t *testing.T, s format.Settings) {
		h := newHarness(t, mem, Format{}, matrixCols, s)
		defer h.Release()
		h.MustDecode(m1)
		rec := h.Record()
		defer rec.Release()
		assert.Equal(t, []string{"AM"}, strs(rec.Column(2)))
	}
	t.Run("precompiled", func(t *testing.T) {
		decodeWith(t, settings("test.capnp.bin:TestRecordStruct"))
	})
	t.Run("fallback without the compiler", func(t *testing.T) {
		t.Setenv("PATH", "")
		decodeWith(t, settings("test.capnp:TestRecordStruct"))
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "x.capnp"), readFile(t, "test.capnp"), 0o644))
		s := settings("x:TestRecordStruct")
		s.SchemaPath = dir
		cols, err := block.ParseColumns(matrixCols)
		require.NoError(t, err)
		_, err = Format{}.NewDecoder(block.Schema(cols), &s)
		require.ErrorContains(t, err, "the capnp compiler is not installed (Debian package capnproto)")
	})
	t.Run("capnp compiler", func(t *testing.T) {
		if _, err := exec.LookPath("capnp"); err != nil {
			t.Skip("the capnp compiler (Debian package capnproto) is not installed")
		}
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "x.capnp"), readFile(t, "test.capnp"), 0o644))
		s := settings("x:TestRecordStruct")
		s.SchemaPath = dir
		decodeWith(t, s)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.capnp"), []byte("struct X { a @0 :Nope; }"), 0o644))
		s.Schema = "bad:X"
		cols, err := block.ParseColumns(matrixCols)
		require.NoError(t, err)
		_, err = Format{}.NewDecoder(block.Schema(cols), &s)
		require.ErrorContains(t, err, "cannot compile schema")
	})
}

func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		defs   []string
		schema string
		want   string
	}{
		{"no schema", []string{"a Int32"}, "", "kafka_schema (format_schema) is not set"},
		{"no struct", []string{"a Int32"}, "test.capnp", "must be 'file.capnp:Message'"},
		{"missing file", []string{"a Int32"}, "nope:M", "schema file"},
		{"unknown struct", []string{"a Int32"}, "test:Nope", "could not find a struct named 'Nope'"},
		{"no column", []string{"a Int32"}, "test:TestRecordStruct", "no column matches a field of struct"},
		{"array for scalar", []string{"id Array(Int64)"}, "test:TestRecordStruct", "column id (Array(Int64)) cannot hold the Int64 field id"},
		{"scalar for list", []string{"alc String"}, "roundtrip:Row", "it must be an Array"},
		{"struct into scalar", []string{"t Int32"}, "roundtrip:Row", "cannot hold roundtrip.capnp:T"},
		{"nullable without union", []string{"t Nullable(Int32)"}, "roundtrip:Row", "needs a union of a value and a Void"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, err := block.ParseColumns(tc.defs)
			require.NoError(t, err)
			s := settings(tc.schema)
			_, err = Format{}.NewDecoder(block.Schema(cols), &s)
			require.ErrorContains(t, err, tc.want)
			_, err = Format{}.NewEncoder(block.Schema(cols), &s)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, src := sourceRecord(t, mem)
	defer src.Release()
	s := settings("roundtrip:Row")
	enc, err := Format{}.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	dec, err := Format{}.NewDecoder(src.Schema(), &s)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	for _, g := range [][2]int{{0, 3}, {3, 5}} {
		msg, err := enc.Append([]byte("prefix|"), src, g[0], g[1])
		require.NoError(t, err)
		require.Equal(t, "prefix|", string(msg[:7]))
		require.NoError(t, dec.Decode(rows, msg[7:]))
		require.Equal(t, g[1]-g[0], rows.Len())
		b.Append(rows, &virtualcols.Message{})
		rows.Reset()
	}
	got := b.NewRecordBatch()
	defer got.Release()
	for k := range src.NumCols() {
		assert.True(t, array.ApproxEqual(src.Column(int(k)), got.Column(int(k)), array.WithNaNsEqual(true), array.WithAbsTolerance(0)),
			"column %s:\nwant %v\ngot  %v", src.ColumnName(int(k)), src.Column(int(k)), got.Column(int(k)))
	}
}

// Enums (by value, as ClickHouse's default), defaults XORed into the data section, unions,
// groups, nested structs and lists of structs.
func TestFeatures(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	defs := []string{"id UInt32", "name String", "color Enum8('red' = 0, 'green' = 1, 'blue' = 2)", "ratio Float64", "flag Bool",
		"colors Array(String)", "`where.city` String", "where_zip UInt32", "inner Tuple(x Int16, tags Array(String))",
		"count Int64", "label String", "items Array(Tuple(x Int16, tags Array(String)))"}
	s := settings("features:Event")
	h := newHarness(t, mem, Format{}, defs, s)
	defer h.Release()

	// An empty root struct: every field at its default.
	empty := []byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	h.MustDecode(empty)
	rec := h.Record()
	defer rec.Release()
	var row []string
	for k := range int(rec.NumCols()) {
		row = append(row, strs(rec.Column(k))[0])
	}
	assert.Equal(t, []string{"7", "unnamed", "blue", "0.5", "true", "[]", "", "0", `{"tags":[],"x":-1}`, "0", "", "[]"}, row)

	// Encode rows and read them back.
	cols, err := block.ParseColumns(defs)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	for _, r := range [][]cell{
		{unum(7), txt("unnamed"), txt("blue"), flt(0.5), boolean(true), arr(), txt(""), unum(0), tup(num(-1), arr()), num(0), txt(""), arr()},
		{unum(0), txt(""), txt("red"), flt(0), boolean(false), arr(txt("green"), txt("red")), txt("Paris"), unum(75001),
			tup(num(3), arr(txt("a"), txt("b"))), num(0), txt("lbl"), arr(tup(num(1), arr()), tup(num(-7), arr(txt("z"))))},
	} {
		for k, c := range r {
			require.NoError(t, c(rows.Col(k)))
		}
		require.NoError(t, rows.EndRow())
	}
	bld, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer bld.Release()
	bld.Append(rows, nil)
	src := bld.NewRecordBatch()
	defer src.Release()
	enc, err := Format{}.NewEncoder(src.Schema(), &s)
	require.NoError(t, err)
	out, err := enc.Append(nil, src, 0, 2)
	require.NoError(t, err)

	// Values equal to the defaults are stored as zeros (XORed with the default); only the
	// union's discriminant (label, set last) is not zero.
	first := readFrameRoot(t, out)
	nonZero := 0
	for _, x := range first.data {
		if x != 0 {
			nonZero++
		}
	}
	assert.Equal(t, 1, nonZero, "%x", first.data)

	rows.Reset()
	dec, err := Format{}.NewDecoder(src.Schema(), &s)
	require.NoError(t, err)
	require.NoError(t, dec.Decode(rows, out))
	require.Equal(t, 2, rows.Len())
	bld.Append(rows, nil)
	got := bld.NewRecordBatch()
	defer got.Release()
	for k := range src.NumCols() {
		want := strs(src.Column(int(k)))
		if src.ColumnName(int(k)) == "count" {
			want = []string{"0", "0"} // label is the union's member set last
		}
		assert.Equal(t, want, strs(got.Column(int(k))), "column %s", src.ColumnName(int(k)))
	}
}

// A message of two segments with a far pointer and a double-far pointer.
func TestFarPointers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, matrixCols, settings("test:TestRecordStruct"))
	defer h.Release()
	le := binary.LittleEndian
	word := func(v uint64) []byte { return le.AppendUint64(nil, v) }
	text := le.AppendUint64(nil, 0)
	copy(text, "AM\x00")

	// Segment 0: root pointer, struct (2 data words, 1 pointer) whose pointer is far.
	// Segment 1: a landing pad (list pointer) then "AM\0".
	seg0 := append(word(0x0001_0002_00000000), word(7)...)            // root → struct at word 1
	seg0 = append(seg0, word(0x3f000000_00010000)...)                 // blockNo 0, val3 1, val2 0.5
	seg0 = append(seg0, word(uint64(1)<<32|0<<3|2)...)                // far: segment 1, word 0
	seg1 := append(word(uint64(3)<<35|uint64(szByte)<<32|1), text...) // list → next word, 3 bytes
	frame := le.AppendUint32(nil, 1)
	frame = le.AppendUint32(frame, uint32(len(seg0)/8))
	frame = le.AppendUint32(frame, uint32(len(seg1)/8))
	frame = le.AppendUint32(frame, 0)
	frame = append(append(frame, seg0...), seg1...)

	// Double-far: segment 1 holds a landing pad of two words, a far pointer to segment 2
	// word 0 and a tag (list pointer with offset 0); segment 2 holds the bytes.
	seg0d := append(word(0x0001_0002_00000000), word(8)...)
	seg0d = append(seg0d, word(0x3f000000_00010000)...)
	seg0d = append(seg0d, word(uint64(1)<<32|0<<3|1<<2|2)...)
	seg1d := append(word(uint64(2)<<32|0<<3|2), word(uint64(3)<<35|uint64(szByte)<<32|1)...)
	seg2d := text
	framed := le.AppendUint32(nil, 2)
	for _, sg := range [][]byte{seg0d, seg1d, seg2d} {
		framed = le.AppendUint32(framed, uint32(len(sg)/8))
	}
	framed = append(append(append(framed, seg0d...), seg1d...), seg2d...)

	h.MustDecode(append(frame, framed...))
	rec := h.Record()
	defer rec.Release()
	assert.Equal(t, []string{"7", "8"}, strs(rec.Column(0)))
	assert.Equal(t, []string{"AM", "AM"}, strs(rec.Column(2)))
	assert.Equal(t, []string{"0.5", "0.5"}, strs(rec.Column(3)))
	assert.Equal(t, []string{"1", "1"}, strs(rec.Column(4)))

	// Pointers out of bounds and amplification are errors.
	bad := append([]byte(nil), frame...)
	le.PutUint64(bad[16+24:], uint64(9)<<32|0<<3|2) // far to segment 9
	_, err := h.Decode(bad)
	require.ErrorContains(t, err, "pointer out of bounds")
}

// readFrameRoot returns the root struct of the first framed message of b.
func readFrameRoot(t *testing.T, b []byte) structRef {
	t.Helper()
	m := &message{}
	_, err := m.readFrame(b)
	require.NoError(t, err)
	s, err := m.readStruct(0, 0)
	require.NoError(t, err)
	return s
}
