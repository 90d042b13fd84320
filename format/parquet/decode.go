package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
)

var errEmpty = errors.New("Parquet message is empty")

// decoder is the compiled Parquet decoder of one schema. Not safe for concurrent use.
type decoder struct {
	ncols  int
	stager *arrowval.Stager
	mem    arrowval.LimitedAllocator
	rd     bytes.Reader
}

func newDecoder(cols []block.Column) *decoder {
	return &decoder{ncols: len(cols), stager: arrowval.NewStager(cols)}
}

// Decode implements [format.Decoder]: the rows of every row group of the file.
func (d *decoder) Decode(dst *block.Rows, payload []byte) (err error) {
	if dst.NumCols() != d.ncols {
		return errors.New("parquet: rows have a different number of columns than the decoder was compiled for")
	}
	if len(payload) == 0 {
		return &ParseError{Err: errEmpty}
	}
	defer arrowval.Recover(&err)
	d.mem.Reset(arrowval.Budget(len(payload)))
	d.rd.Reset(payload)
	defer d.rd.Reset(nil)
	pf, err := file.NewParquetReader(&d.rd, file.WithReadProps(parquet.NewReaderProperties(&d.mem)))
	if err != nil {
		return &ParseError{Err: err}
	}
	defer pf.Close()
	if err := verifyStoredSchema(pf); err != nil {
		return &ParseError{Err: err}
	}
	d.stager.MaxRows = arrowval.RowLimit(len(payload))
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, &d.mem)
	if err != nil {
		return &ParseError{Err: err}
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return &ParseError{Err: err}
	}
	defer rr.Release()
	for rr.Next() {
		if err := d.stager.Stage(dst, rr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return &ParseError{Err: err}
	}
	return nil
}

// verifyStoredSchema checks the Arrow schema a writer stored in the file's metadata
// (ARROW:schema, base64 of an IPC schema message) before pqarrow decodes it: arrow-go
// trusts its flatbuffers.
func verifyStoredSchema(pf *file.Reader) error {
	kv := pf.MetaData().KeyValueMetadata()
	if kv == nil {
		return nil
	}
	serialized := kv.FindValue("ARROW:schema")
	if serialized == nil {
		return nil
	}
	var decoded []byte
	var err error
	if len(*serialized)%4 == 0 {
		decoded, err = base64.StdEncoding.DecodeString(*serialized)
	}
	if len(decoded) == 0 || err != nil {
		if decoded, err = base64.RawStdEncoding.DecodeString(*serialized); err != nil {
			return nil // pqarrow reports it
		}
	}
	return arrowval.VerifyIPCStream(decoded)
}
