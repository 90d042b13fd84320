package avro

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowcol"
)

// valueWriter appends the Avro binary encoding of value i of arr.
type valueWriter func(dst []byte, arr arrow.Array, i int) []byte

// rowWriter writes rows of one Arrow schema as Avro records of the schema ClickHouse
// derives from the columns.
type rowWriter struct {
	schemaJSON []byte
	types      []arrow.DataType
	names      []string
	writers    []valueWriter
}

// schemaBuilder names the generated types as ClickHouse does: a counter incremented for
// every type visited ("fixed_3", "enum8_5", "enum167"), records after their column or
// element, made unique where two would clash.
type schemaBuilder struct {
	inc   int
	names map[string]bool
}

func newRowWriter(schema *arrow.Schema) (*rowWriter, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, err
	}
	b := &schemaBuilder{names: map[string]bool{"row": true}}
	w := &rowWriter{}
	js := []byte(`{"type":"record","name":"row","fields":[`)
	for i, c := range cols {
		dt := schema.Field(i).Type
		r, err := arrowcol.Compile(c.Type, dt)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		s, vw, err := b.writer(r, c.Name)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		if i > 0 {
			js = append(js, ',')
		}
		js = append(js, `{"name":`...)
		js = appendJSONString(js, c.Name)
		js = append(js, `,"type":`...)
		js = append(js, s...)
		js = append(js, '}')
		w.types = append(w.types, dt)
		w.names = append(w.names, c.Name)
		w.writers = append(w.writers, vw)
	}
	w.schemaJSON = append(js, "]}"...)
	return w, nil
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}

// recordName returns a record name not used yet.
func (b *schemaBuilder) recordName(name string) string {
	if !b.names[name] {
		b.names[name] = true
		return name
	}
	for k := 1; ; k++ {
		n := name + "_" + strconv.Itoa(k)
		if !b.names[n] {
			b.names[n] = true
			return n
		}
	}
}

// check verifies that rec's columns have the types the writer was compiled for.
func (w *rowWriter) check(rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != len(w.types) {
		return fmt.Errorf("record batch has %d columns, the encoder was compiled for %d", rec.NumCols(), len(w.types))
	}
	for k, dt := range w.types {
		if err := arrowcol.Check(dt, rec.Column(k)); err != nil {
			return fmt.Errorf("column %s %w", w.names[k], err)
		}
	}
	return nil
}

func (w *rowWriter) appendRow(dst []byte, cols []arrow.Array, r int) []byte {
	for k, vw := range w.writers {
		dst = vw(dst, cols[k], r)
	}
	return dst
}

// writer returns the Avro schema JSON and the value writer of a column, following
// ClickHouse's AvroSerializer: Bool → boolean; Int8..Int32, UInt8, UInt16 → int; UInt32
// and DateTime → int (values above 2^31-1 wrap around, as in ClickHouse); Int64, UInt64 →
// long; Float32 → float; Float64 → double; Date, Date32 → int (date); DateTime64(3|6) →
// long (timestamp-millis|micros), other precisions → bytes (decimal(18, P)); Decimal(P,
// S) → bytes (decimal(P, S)); String → bytes; FixedString(N) → fixed(N); UUID → string
// (uuid); Enum → enum; Array → array; Map(String|FixedString, V) → map; Tuple → record;
// Nullable(T) → ["null", T]; LowCardinality(T) → T.
func (b *schemaBuilder) writer(r *arrowcol.Reader, name string) (string, valueWriter, error) {
	b.inc++
	s, w, err := b.baseWriter(r, name)
	if err != nil || !r.Nullable {
		return s, w, err
	}
	b.inc++ // ClickHouse counts the Nullable's nested type separately
	return `["null",` + s + `]`, func(dst []byte, a arrow.Array, i int) []byte {
		if a.IsNull(i) {
			return append(dst, 0)
		}
		return w(append(dst, 2), a, i)
	}, nil
}

func (b *schemaBuilder) baseWriter(r *arrowcol.Reader, name string) (string, valueWriter, error) {
	t := r.Type
	switch t.Kind {
	case block.Bool:
		return `"boolean"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			if r.Bool(a, i) {
				return append(dst, 1)
			}
			return append(dst, 0)
		}, nil
	case block.Int8, block.Int16, block.Int32, block.Date, block.Date32:
		s := `"int"`
		if t.Kind == block.Date || t.Kind == block.Date32 {
			s = `{"type":"int","logicalType":"date"}`
		}
		return s, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, r.Int(a, i))
		}, nil
	case block.Int64:
		return `"long"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, r.Int(a, i))
		}, nil
	case block.UInt8, block.UInt16:
		return `"int"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, int64(r.Uint(a, i)))
		}, nil
	case block.UInt32:
		return `"int"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, int64(int32(uint32(r.Uint(a, i)))))
		}, nil
	case block.DateTime:
		return `"int"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, int64(int32(uint32(r.Int(a, i)))))
		}, nil
	case block.UInt64:
		return `"long"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendLong(dst, int64(r.Uint(a, i)))
		}, nil
	case block.Float32:
		return `"float"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendFloat(dst, float32(r.Float(a, i)))
		}, nil
	case block.Float64:
		return `"double"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendDouble(dst, r.Float(a, i))
		}, nil
	case block.DateTime64:
		if t.Precision == 3 || t.Precision == 6 {
			lt := "timestamp-millis"
			if t.Precision == 6 {
				lt = "timestamp-micros"
			}
			return `{"type":"long","logicalType":"` + lt + `"}`, func(dst []byte, a arrow.Array, i int) []byte {
				a, i, _ = r.At(a, i)
				return appendLong(dst, r.Int(a, i))
			}, nil
		}
		var tmp []byte
		return decimalSchema(18, t.Precision), func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			v := r.Int(a, i)
			ext := uint64(0)
			if v < 0 {
				ext = ^uint64(0)
			}
			tmp = arrowcol.AppendDecimalBE(tmp[:0], [4]uint64{uint64(v), ext, ext, ext}, 8)
			return appendBytes(dst, tmp)
		}, nil
	case block.Decimal:
		width := decimalWidth(t.Precision)
		var tmp []byte
		return decimalSchema(t.Precision, t.Scale), func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			tmp = arrowcol.AppendDecimalBE(tmp[:0], r.Decimal(a, i), width)
			return appendBytes(dst, tmp)
		}, nil
	case block.String:
		return `"bytes"`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return appendBytes(dst, r.Bytes(a, i))
		}, nil
	case block.FixedString:
		s := `{"type":"fixed","name":"fixed_` + strconv.Itoa(b.inc) + `","size":` + strconv.Itoa(t.Len) + `}`
		return s, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			return append(dst, r.Bytes(a, i)...)
		}, nil
	case block.UUID:
		var tmp []byte
		return `{"type":"string","logicalType":"uuid"}`, func(dst []byte, a arrow.Array, i int) []byte {
			a, i, _ = r.At(a, i)
			tmp = arrowcol.AppendUUID(tmp[:0], r.Bytes(a, i))
			return appendBytes(dst, tmp)
		}, nil
	case block.Enum8, block.Enum16:
		prefix := "enum8_"
		if t.Kind == block.Enum16 {
			prefix = "enum16" // sic: ClickHouse's name has no underscore
		}
		s := []byte(`{"type":"enum","name":"` + prefix + strconv.Itoa(b.inc) + `","symbols":[`)
		for k, v := range t.Enum {
			if k > 0 {
				s = append(s, ',')
			}
			s = appendJSONString(s, v.Name)
		}
		s = append(s, "]}"...)
		return string(s), func(dst []byte, a arrow.Array, i int) []byte {
			return appendLong(dst, int64(r.EnumIndex(a, i)))
		}, nil
	case block.Array:
		es, ew, err := b.writer(r.Elem, name)
		if err != nil {
			return "", nil, err
		}
		return `{"type":"array","items":` + es + `}`, func(dst []byte, a arrow.Array, i int) []byte {
			values, start, end := r.List(a, i)
			if end > start {
				dst = appendLong(dst, int64(end-start))
				for k := start; k < end; k++ {
					dst = ew(dst, values, k)
				}
			}
			return append(dst, 0)
		}, nil
	case block.Map:
		if k := base(r.Key.Type).Kind; k != block.String && k != block.FixedString {
			return "", nil, fmt.Errorf("Avro maps support only String or FixedString keys, got %s", r.Key.Type)
		}
		kr := r.Key
		vs, vw, err := b.writer(r.Value, name+".value")
		if err != nil {
			return "", nil, err
		}
		return `{"type":"map","values":` + vs + `}`, func(dst []byte, a arrow.Array, i int) []byte {
			keys, values, start, end := r.MapEntries(a, i)
			if end > start {
				dst = appendLong(dst, int64(end-start))
				for k := start; k < end; k++ {
					ka, ki, _ := kr.At(keys, k)
					dst = appendBytes(dst, kr.Bytes(ka, ki))
					dst = vw(dst, values, k)
				}
			}
			return append(dst, 0)
		}, nil
	case block.Tuple:
		s := []byte(`{"type":"record","name":`)
		s = appendJSONString(s, b.recordName(name))
		s = append(s, `,"fields":[`...)
		ws := make([]valueWriter, len(t.Fields))
		for k, f := range t.Fields {
			fname := f.Name
			if fname == "" {
				fname = strconv.Itoa(k + 1)
			}
			fs, fw, err := b.writer(r.Fields[k], fname)
			if err != nil {
				return "", nil, err
			}
			if k > 0 {
				s = append(s, ',')
			}
			s = append(s, `{"name":`...)
			s = appendJSONString(s, fname)
			s = append(s, `,"type":`...)
			s = append(s, fs...)
			s = append(s, '}')
			ws[k] = fw
		}
		s = append(s, "]}"...)
		return string(s), func(dst []byte, a arrow.Array, i int) []byte {
			for k, fw := range ws {
				dst = fw(dst, r.Field(a, k), i)
			}
			return dst
		}, nil
	}
	return "", nil, fmt.Errorf("type %s is not supported for Avro output", t)
}

func decimalSchema(precision, scale int) string {
	return `{"type":"bytes","logicalType":"decimal","precision":` + strconv.Itoa(precision) + `,"scale":` + strconv.Itoa(scale) + `}`
}

// decimalWidth is the byte width of ClickHouse's Decimal32/64/128/256 for a precision.
func decimalWidth(p int) int {
	switch {
	case p <= 9:
		return 4
	case p <= 18:
		return 8
	case p <= 38:
		return 16
	}
	return 32
}

// encoder writes one object container file per message. Not safe for concurrent use.
type encoder struct {
	w    *rowWriter
	ocf  *ocfWriter
	data []byte
}

// Append implements [format.Encoder]: rows [i, j) of rec as one container file (header,
// then data blocks of at most 16 KiB of records, ClickHouse's sync interval).
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := checkRange(rec, i, j); err != nil {
		return dst, fmt.Errorf("avro: %w", err)
	}
	if err := e.w.check(rec); err != nil {
		return dst, fmt.Errorf("avro: %w", err)
	}
	cols := rec.Columns()
	out := append(dst, e.ocf.header...)
	e.data = e.data[:0]
	count := 0
	var err error
	for r := i; r < j; r++ {
		e.data = e.w.appendRow(e.data, cols, r)
		count++
		if len(e.data) >= syncInterval || r == j-1 {
			if out, err = e.ocf.appendBlock(out, count, e.data); err != nil {
				return dst, fmt.Errorf("avro: %w", err)
			}
			e.data, count = e.data[:0], 0
		}
	}
	return out, nil
}
