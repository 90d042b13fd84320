package lines

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	"github.com/chkafka/chkafka/format/internal/separated"
)

func init() {
	format.Register("LineAsString", Format{})
	format.Register("RawBLOB", Format{Whole: true})
}

// Format is LineAsString, or RawBLOB when Whole is set. It is safe for concurrent use; its
// decoders and encoders are not.
type Format struct {
	// Whole makes the whole message one value (RawBLOB) instead of one per line.
	Whole bool
}

// Name returns the format's ClickHouse name.
func (f Format) Name() string {
	if f.Whole {
		return "RawBLOB"
	}
	return "LineAsString"
}

// column checks that schema is one String column and returns its Arrow type.
func (f Format) column(schema *arrow.Schema) (arrow.DataType, *block.Type, error) {
	cols, err := block.ColumnsFromSchema(schema)
	if err != nil {
		return nil, nil, fmt.Errorf("lines: %s: %w", f.Name(), err)
	}
	if len(cols) != 1 || cols[0].Type.Kind != block.String {
		return nil, nil, fmt.Errorf("lines: %s: this format is only suitable for tables with a single column of type String, not %d columns starting with %s",
			f.Name(), len(cols), firstColumn(cols))
	}
	return schema.Field(0).Type, cols[0].Type, nil
}

func firstColumn(cols []block.Column) string {
	if len(cols) == 0 {
		return "none"
	}
	return cols[0].String()
}

// NewDecoder compiles a decoder for schema, which must be a single String column. The
// settings are not used.
func (f Format) NewDecoder(schema *arrow.Schema, _ *format.Settings) (format.Decoder, error) {
	if _, _, err := f.column(schema); err != nil {
		return nil, err
	}
	return decoder{whole: f.Whole}, nil
}

// NewEncoder compiles an encoder for schema, which must be a single String column. The
// settings are not used.
func (f Format) NewEncoder(schema *arrow.Schema, _ *format.Settings) (format.Encoder, error) {
	dt, t, err := f.column(schema)
	if err != nil {
		return nil, err
	}
	w, err := escape.NewWriter(t, dt, escape.Raw, escape.WriteOptions{})
	if err != nil {
		return nil, fmt.Errorf("lines: %s: %w", f.Name(), err)
	}
	return &encoder{name: "lines", whole: f.Whole, types: []arrow.DataType{dt}, w: w}, nil
}

type decoder struct{ whole bool }

// Decode implements [format.Decoder].
func (d decoder) Decode(dst *block.Rows, payload []byte) error {
	if dst.NumCols() != 1 {
		return fmt.Errorf("lines: rows have %d columns, the decoder was compiled for 1", dst.NumCols())
	}
	if len(payload) == 0 {
		return nil
	}
	c := dst.Col(0)
	if d.whole {
		if err := c.AppendText(payload); err != nil {
			return escape.RowError(1, "", err)
		}
		return dst.EndRow()
	}
	for row := 1; len(payload) > 0; row++ {
		line := payload
		if k := bytes.IndexByte(payload, '\n'); k >= 0 {
			line, payload = payload[:k], payload[k+1:]
		} else {
			payload = nil
		}
		if err := c.AppendText(line); err != nil {
			return escape.RowError(row, "", err)
		}
		if err := dst.EndRow(); err != nil {
			return escape.RowError(row, "", err)
		}
	}
	return nil
}

type encoder struct {
	name  string
	whole bool
	types []arrow.DataType
	w     escape.Writer
}

// Append implements [format.Encoder].
func (e *encoder) Append(dst []byte, rec arrow.RecordBatch, i, j int) ([]byte, error) {
	if err := separated.CheckRecord(e.name, e.types, rec, i, j); err != nil {
		return dst, err
	}
	col := rec.Column(0)
	for r := i; r < j; r++ {
		dst = e.w(dst, col, r)
		if !e.whole {
			dst = append(dst, '\n')
		}
	}
	return dst, nil
}
