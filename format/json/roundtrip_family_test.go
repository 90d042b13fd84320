package json

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/codectest"
)

// roundTripColumnsFor adapts the round-trip values to what format k keeps: the *Strings*
// formats read the text "null" as NULL (as ClickHouse does), and the formats that validate
// UTF-8 replace invalid sequences (TestEncodeValidUTF8 covers that).
func roundTripColumnsFor(k kind) []roundTripColumn {
	cols := slices.Clone(roundTripColumns)
	for i, c := range cols {
		name, _, _ := strings.Cut(c.Def, " ")
		switch {
		case k.strings() && name == "ns":
			c.Rows[0] = codectest.Txt("nul")
		case k.validatesUTF8() && name == "s":
			c.Rows[3] = codectest.Txt("valid instead of \\xff")
		case k.validatesUTF8() && name == "fs":
			c.Rows[4] = codectest.Txt("ab\"\\")
		}
		cols[i] = c
	}
	return cols
}

// Every type of the mapping survives encode → decode in every readable format, with
// messages of several rows (kafka_max_rows_per_message style groups).
func TestRoundTripAllFormats(t *testing.T) {
	quoted := defaults()
	quoted.Quote64BitIntegers = false
	quoted.QuoteDecimals = true
	for _, k := range readableKinds() {
		if k == kindAsString {
			continue // one String column: TestJSONAsStringEncode
		}
		for name, s := range map[string]format.Settings{"defaults": defaults(), "unquoted 64-bit, quoted decimals": quoted} {
			t.Run(k.String()+"/"+name, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				cols, src := codectest.SourceRecordFrom(t, mem, roundTripColumnsFor(k))
				defer src.Release()
				f := lookup(t, k.String())
				enc, err := f.NewEncoder(src.Schema(), &s)
				require.NoError(t, err)
				dec, err := f.NewDecoder(src.Schema(), &s)
				require.NoError(t, err)
				codectest.RoundTripCodec(t, mem, cols, src, enc, dec, block.Options{NullAsDefault: s.NullAsDefault})
			})
		}
	}
}

// VECTORS.md §6.4: the block formats write one message per record batch; 100 rows inserted
// in batches of 12 make 9 messages that read back as the 100 rows in order.
func TestBlockFormatsPerBatch(t *testing.T) {
	for _, name := range []string{"JSONColumns", "JSONCompactColumns", "JSONColumnsWithMetadata"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			f := lookup(t, name)
			require.True(t, format.IsBlockOriented(f))
			cols, err := block.ParseColumns([]string{"key UInt64", "value UInt64"})
			require.NoError(t, err)
			schema := block.Schema(cols)
			bld := array.NewRecordBuilder(mem, schema)
			defer bld.Release()
			for i := range uint64(100) {
				bld.Field(0).(*array.Uint64Builder).Append(i * 10)
				bld.Field(1).(*array.Uint64Builder).Append(i * 100)
			}
			all := bld.NewRecordBatch()
			defer all.Release()

			enc, err := f.NewEncoder(schema, nil)
			require.NoError(t, err)
			var msgs [][]byte
			for start := int64(0); start < all.NumRows(); start += 12 {
				batch := all.NewSlice(start, min(start+12, all.NumRows()))
				msg, err := enc.Append(nil, batch, 0, int(batch.NumRows()))
				batch.Release()
				require.NoError(t, err)
				msgs = append(msgs, msg)
			}
			require.Len(t, msgs, 9)

			h := newFormatHarness(t, mem, f, []string{"key UInt64", "value UInt64"}, defaults())
			defer h.Release()
			for _, m := range msgs {
				_, err := h.decode(string(m))
				require.NoError(t, err, "%s", m)
			}
			rec := h.record()
			defer rec.Release()
			require.EqualValues(t, 100, rec.NumRows())
			for i := range 100 {
				assert.Equal(t, uint64(i*10), rec.Column(0).(*array.Uint64).Value(i))
				assert.Equal(t, uint64(i*100), rec.Column(1).(*array.Uint64).Value(i))
			}
		})
	}
}

// The *Strings* formats write ClickHouse's text of each value in a JSON string: NULL as
// ᴺᵁᴸᴸ, Array/Map/Tuple as literals with quoted elements, floats as inf/nan.
func TestEncodeStringsForm(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, src := sourceRecord(t, mem)
	defer src.Release()
	enc, err := lookup(t, "JSONStringsEachRow").NewEncoder(src.Schema(), nil)
	require.NoError(t, err)
	out, err := enc.Append(nil, src, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, `{"i8":"127","i16":"32767","i32":"2147483647","i64":"9223372036854775807","u8":"255","u16":"65535","u32":"4294967295","u64":"18446744073709551615",`+
		`"f32":"inf","f64":"1e-7","b":"false","s":"a\"b\\c\/d\n\r\t\b\f\u0000\u0001\u001F","fs":"ab\u0000\u0000","d":"2149-06-06","d32":"2299-12-31","dt":"2106-02-07 06:28:15",`+
		`"dtz":"1970-01-01 02:00:00","dt64":"1969-12-31 23:59:59.999","dt64u":"1969-12-31 23:59:59.000001","dt64d":"1969-12-31 23:59:59.9","dt64n":"1969-12-31 23:59:59.000000001","dec":"-0.01",`+
		`"dec40":"-1.00001","uuid":"00000000-0000-0000-0000-000000000000","e8":"b","e16":"y",`+
		`"lc":"bar","lcn":"x","ni":"5","ns":"ᴺᵁᴸᴸ","alc":"['a','b','a']","aa":"[]","an":"[]","m":"{}",`+
		`"mk":"{}","t":"(-1,'')","tu":"(-9223372036854775808,NULL)"}`+"\n", string(out))
	out, err = enc.Append(out[:0], src, 0, 1)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"aa":"[[1,2],[],[-128]]","an":"[NULL,1.5]","m":"{'k1':1,'k\"2':18446744073709551615}","mk":"{1:['x']}","t":"(1,'x')","tu":"(1,'x')"`)
	assert.Contains(t, string(out), `"lcn":"ᴺᵁᴸᴸ"`)

	enc, err = lookup(t, "JSONCompactStringsEachRow").NewEncoder(src.Schema(), nil)
	require.NoError(t, err)
	out, err = enc.Append(nil, src, 2, 3)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), `["0", "0", "0", "0", "1", "1", "1", "9223372036854775808", "-inf", "nan", "true", "Привет 😀 \u2028\u2029", "\u0000\u0000\u0000\u0000", "2024-02-29"`), "%s", out)
}

// JSON, JSONCompact, JSONStrings and JSONCompactStrings replace invalid UTF-8 with U+FFFD
// (consecutive bytes with one), the other formats pass bytes through.
func TestEncodeValidUTF8(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"s String"})
	require.NoError(t, err)
	schema := block.Schema(cols)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.StringBuilder).Append("a\xff\xfeb\xe2\x80c😀\xed\xa0\x80")
	rec := bld.NewRecordBatch()
	defer rec.Release()
	for k := range numKinds {
		if k == kindAsString {
			continue
		}
		enc, err := Format{kind: k}.NewEncoder(schema, nil)
		require.NoError(t, err)
		out, err := enc.Append([]byte("\xff"), rec, 0, 1)
		require.NoError(t, err)
		assert.Equal(t, byte(0xff), out[0], "dst before the document is kept")
		if k.validatesUTF8() {
			assert.Contains(t, string(out), `"a`+"\uFFFD"+`b`+"\uFFFD"+`c😀`+"\uFFFD"+`"`, k.String())
		} else {
			assert.Contains(t, string(out), `"a`+"\xff\xfeb\xe2\x80c😀\xed\xa0\x80"+`"`, k.String())
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"a Int32"})
	require.NoError(t, err)
	bld := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil))
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).Append(1)
	rec := bld.NewRecordBatch()
	defer rec.Release()
	for k := range numKinds {
		if k == kindAsString {
			continue
		}
		enc, err := Format{kind: k}.NewEncoder(block.Schema(cols), nil)
		require.NoError(t, err)
		out, err := enc.Append([]byte("keep"), rec, 0, 1)
		require.Error(t, err, k.String())
		assert.Equal(t, "keep", string(out))
		out, err = enc.Append([]byte("keep"), rec, 0, 2)
		require.Error(t, err, k.String())
		assert.Equal(t, "keep", string(out))
	}
}

// A message of zero rows is still a complete document.
func TestEncodeNoRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, src := sourceRecord(t, mem)
	defer src.Release()
	want := map[kind]string{
		kindEachRow:                         "",
		kindCompactEachRowWithNames:         "[\"i8\", ",
		kindCompactEachRowWithNamesAndTypes: "[\"Int8\", ",
		kindObjectEachRow:                   "{\n\n}\n",
		kindDocument:                        "\t\"data\":\n\t[\n\n\t],\n\n\t\"rows\": 0\n}\n",
		kindColumns:                         "\t\"i8\": [],\n",
		kindCompactColumns:                  "[\n\t[],\n",
	}
	for k, w := range want {
		enc, err := Format{kind: k}.NewEncoder(src.Schema(), nil)
		require.NoError(t, err)
		out, err := enc.Append(nil, src, 2, 2)
		require.NoError(t, err)
		assert.Contains(t, string(out), w, k.String())
		if k.readable() {
			dec, err := Format{kind: k}.NewDecoder(src.Schema(), nil)
			require.NoError(t, err)
			cols, err := block.ColumnsFromSchema(src.Schema())
			require.NoError(t, err)
			rows := block.NewRows(cols, block.Options{NullAsDefault: true})
			require.NoError(t, dec.Decode(rows, out), "%s: %s", k, out)
			assert.Zero(t, rows.Len())
		}
	}
}
