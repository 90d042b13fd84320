package kafkaengine

import (
	"github.com/IBM/sarama"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
)

// aheadBatch is the most messages a claim decodes into one hand-off item: enough to make
// the hand-off cheap, few enough that the 16 items in flight stage little memory.
const aheadBatch = 512

// decoded is a batch of one claim's messages decoded ahead, in the claim's goroutine, so
// that decoding runs on as many cores as the member has partitions while the pipeline
// only copies rows into the block. Message i staged the rows at(i) of rows, or failed
// with err(i), its rows truncated away. The pipeline recycles it once it has copied the
// rows; nothing in it refers to the messages' memory.
type decoded struct {
	msgs []*sarama.ConsumerMessage // the batch's messages (the slice is reused)
	rows *block.Rows
	ends []int   // ends[i]: rows.Len() after message i
	errs []error // errs[i]: why message i failed; nil while none failed
}

// at returns the rows of message i: rows lo to hi-1.
func (d *decoded) at(i int) (lo, hi int) {
	if i > 0 {
		lo = d.ends[i-1]
	}
	return lo, d.ends[i]
}

// err returns why message i failed to decode, nil if it did not.
func (d *decoded) err(i int) error {
	if d.errs == nil {
		return nil
	}
	return d.errs[i]
}

// claimDecoder decodes the messages of one claim ahead of the pipeline, with a decoder of
// its own (decoders are not safe for concurrent use).
type claimDecoder struct {
	p    *pipeline
	dec  format.Decoder
	skip int
}

// newClaimDecoder returns a decoder for one claim's goroutine, or nil when the format
// cannot make another decoder (the pipeline then decodes the claim's messages itself).
// Decoders are reused from claim to claim (some formats compile a schema, or start the
// capnp compiler, to make one): give it back with done.
func (p *pipeline) newClaimDecoder() *claimDecoder {
	var dec format.Decoder
	select {
	case dec = <-p.decoders:
	default:
		fs := p.t.settings.formatSettings()
		var err error
		if dec, err = p.t.format.NewDecoder(p.t.physical, &fs); err != nil {
			return nil
		}
	}
	return &claimDecoder{p: p, dec: dec, skip: p.t.settings.SchemaRegistrySkipBytes}
}

// done gives the decoder back for the next claim; cd may be nil.
func (cd *claimDecoder) done() {
	if cd == nil {
		return
	}
	select {
	case cd.p.decoders <- cd.dec:
	default:
	}
}

// decode stages every message of d.msgs, a batch from getDecoded, in d.
func (cd *claimDecoder) decode(d *decoded) {
	for i, m := range d.msgs {
		if m.Value != nil {
			n := d.rows.Len()
			if err := cd.dec.Decode(d.rows, skipBytes(m.Value, cd.skip)); err != nil {
				d.rows.Truncate(n)
				if d.errs == nil {
					d.errs = make([]error, len(d.msgs))
				}
				d.errs[i] = err
			}
		}
		d.ends = append(d.ends, d.rows.Len())
	}
}

// getDecoded returns an empty decoded batch, recycled if one is free.
func (p *pipeline) getDecoded() *decoded {
	select {
	case d := <-p.free:
		return d
	default:
		return &decoded{rows: block.NewRows(p.t.cols, p.rowOpts)}
	}
}

// recycle empties d for another batch; nil is ignored.
func (p *pipeline) recycle(d *decoded) {
	if d == nil {
		return
	}
	d.rows.Reset()
	clear(d.msgs)
	d.msgs, d.ends, d.errs = d.msgs[:0], d.ends[:0], nil
	select {
	case p.free <- d:
	default: // enough are free: let the GC have it
	}
}

// skipBytes is what the decoder reads of a message value: the bytes past
// kafka_schema_registry_skip_bytes.
func skipBytes(value []byte, skip int) []byte {
	if skip > 0 {
		return value[min(skip, len(value)):]
	}
	return value
}
