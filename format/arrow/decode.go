package arrowfmt

import (
	"bytes"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/arrowval"
)

var errEmpty = errors.New("Arrow message is empty")

// decoder is the compiled Arrow decoder of one schema. Not safe for concurrent use.
type decoder struct {
	f      Format
	ncols  int
	stager *arrowval.Stager
	mem    arrowval.LimitedAllocator
	rd     bytes.Reader
}

func newDecoder(f Format, cols []block.Column) *decoder {
	return &decoder{f: f, ncols: len(cols), stager: arrowval.NewStager(cols)}
}

// Decode implements [format.Decoder]: the rows of every record batch of payload.
func (d *decoder) Decode(dst *block.Rows, payload []byte) (err error) {
	if dst.NumCols() != d.ncols {
		return errors.New("arrow: rows have a different number of columns than the decoder was compiled for")
	}
	if len(payload) == 0 {
		return &ParseError{Err: errEmpty}
	}
	defer arrowval.Recover(&err)
	// arrow-go trusts the flatbuffers of the metadata: check them first.
	verify := arrowval.VerifyIPCFile
	if d.f == Stream {
		verify = arrowval.VerifyIPCStream
	}
	if err := verify(payload); err != nil {
		return &ParseError{Err: err}
	}
	d.mem.Reset(arrowval.Budget(len(payload)))
	d.stager.MaxRows = arrowval.RowLimit(len(payload))
	d.rd.Reset(payload)
	defer d.rd.Reset(nil)
	opts := []ipc.Option{ipc.WithAllocator(&d.mem), ipc.WithBodySizeLimit(int64(len(payload))), ipc.WithMetadataSizeLimit(int64(len(payload)))}
	if d.f == Stream {
		return d.stream(dst, opts)
	}
	return d.file(dst, opts)
}

func (d *decoder) stream(dst *block.Rows, opts []ipc.Option) error {
	// ipc.NewReader does not pass the size limits on to its message reader: build it.
	r, err := ipc.NewReaderFromMessageReader(ipc.NewMessageReader(&d.rd, opts...), opts...)
	if err != nil {
		return &ParseError{Err: err}
	}
	defer r.Release()
	for r.Next() {
		if err := d.stager.Stage(dst, r.RecordBatch()); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return &ParseError{Err: err}
	}
	return nil
}

func (d *decoder) file(dst *block.Rows, opts []ipc.Option) error {
	r, err := ipc.NewFileReader(&d.rd, opts...)
	if err != nil {
		return &ParseError{Err: err}
	}
	defer r.Close()
	for i := range r.NumRecords() {
		rec, err := r.RecordBatchAt(i)
		if err != nil {
			return &ParseError{Err: err}
		}
		err = d.stager.Stage(dst, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}
