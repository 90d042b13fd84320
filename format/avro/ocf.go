package avro

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// magic starts every Avro object container file.
var magic = []byte{'O', 'b', 'j', 1}

// errBadMagic is ClickHouse's (avro-cpp's) wording for a payload that is not a container.
var errBadMagic = errors.New("Invalid data file. Magic does not match")

// maxBlockSize bounds a container block after decompression: a Kafka message is a few
// megabytes, so anything larger is a compression bomb or garbage.
const maxBlockSize = 64 << 20

// container is a parsed object container file header.
type container struct {
	schema []byte
	codec  string
	sync   [16]byte
}

// readHeader parses the container header at the start of r's input into c.
func readHeader(r *reader, c *container) error {
	if r.remaining() < len(magic) || !bytes.Equal(r.buf[:len(magic)], magic) {
		return errBadMagic
	}
	r.pos = len(magic)
	*c = container{codec: "null"}
	haveSchema := false
	for {
		n, err := r.blockCount(2)
		if err != nil {
			return fmt.Errorf("invalid file header: %w", err)
		}
		if n == 0 {
			break
		}
		for ; n > 0; n-- {
			k, err := r.bytes()
			if err != nil {
				return fmt.Errorf("invalid file header: %w", err)
			}
			v, err := r.bytes()
			if err != nil {
				return fmt.Errorf("invalid file header: %w", err)
			}
			switch string(k) {
			case "avro.schema":
				c.schema, haveSchema = v, true
			case "avro.codec":
				c.codec = string(v)
			}
		}
	}
	if !haveSchema {
		return errors.New("invalid file header: no avro.schema")
	}
	s, err := r.fixed(16)
	if err != nil {
		return fmt.Errorf("invalid file header: %w", err)
	}
	copy(c.sync[:], s)
	switch c.codec {
	case "", "null", "deflate", "snappy", "zstandard", "zstd":
	default:
		return fmt.Errorf("unsupported codec %q", c.codec)
	}
	return nil
}

// nextBlock reads the next data block: its object count and its (decompressed) data. It
// returns count -1 at the end of the input.
func (c *container) nextBlock(r *reader, scratch *[]byte) (int64, []byte, error) {
	if r.remaining() == 0 {
		return -1, nil, nil
	}
	count, err := r.long()
	if err != nil {
		return 0, nil, fmt.Errorf("invalid block: %w", err)
	}
	size, err := r.long()
	if err != nil {
		return 0, nil, fmt.Errorf("invalid block: %w", err)
	}
	if count < 0 || size < 0 {
		return 0, nil, fmt.Errorf("invalid block: count %d, size %d", count, size)
	}
	if size > int64(r.remaining()) {
		return 0, nil, fmt.Errorf("invalid block: size %d exceeds the %d bytes left", size, r.remaining())
	}
	data := r.buf[r.pos : r.pos+int(size)]
	r.pos += int(size)
	s, err := r.fixed(16)
	if err != nil {
		return 0, nil, errors.New("invalid block: missing sync marker")
	}
	if !bytes.Equal(s, c.sync[:]) {
		return 0, nil, errors.New("invalid sync marker")
	}
	data, err = decompress(c.codec, data, scratch)
	if err != nil {
		return 0, nil, err
	}
	return count, data, nil
}

var zstdDecoders = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxBlockSize))
	if err != nil {
		panic(err) // only for invalid options
	}
	return d
}}

func decompress(codec string, data []byte, scratch *[]byte) ([]byte, error) {
	switch codec {
	case "", "null":
		return data, nil
	case "deflate":
		fr := flate.NewReader(bytes.NewReader(data))
		defer fr.Close()
		buf := bytes.NewBuffer((*scratch)[:0])
		n, err := io.Copy(buf, io.LimitReader(fr, maxBlockSize+1))
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		if n > maxBlockSize {
			return nil, fmt.Errorf("deflate: block larger than %d bytes", maxBlockSize)
		}
		*scratch = buf.Bytes()
		return *scratch, nil
	case "snappy":
		if len(data) < 4 {
			return nil, errors.New("snappy: block shorter than its checksum")
		}
		body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
		n, err := snappy.DecodedLen(body)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if n > maxBlockSize {
			return nil, fmt.Errorf("snappy: block larger than %d bytes", maxBlockSize)
		}
		out, err := snappy.Decode((*scratch)[:cap(*scratch)], body)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if crc32.ChecksumIEEE(out) != sum {
			return nil, errors.New("snappy: checksum mismatch")
		}
		*scratch = out
		return out, nil
	case "zstandard", "zstd":
		d := zstdDecoders.Get().(*zstd.Decoder)
		defer zstdDecoders.Put(d)
		out, err := d.DecodeAll(data, (*scratch)[:0])
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		*scratch = out
		return out, nil
	}
	return nil, fmt.Errorf("unsupported codec %q", codec)
}

// ocfWriter writes object container files with one schema and codec.
type ocfWriter struct {
	header []byte // magic, metadata and sync marker
	sync   [16]byte
	codec  string
	zenc   *zstd.Encoder
	fw     *flate.Writer
	buf    bytes.Buffer
	block  []byte
}

// syncInterval is ClickHouse's output_format_avro_sync_interval default: a new block
// starts when the current one reaches it.
const syncInterval = 16 << 10

func newOCFWriter(schema []byte, codec string) (*ocfWriter, error) {
	w := &ocfWriter{codec: codec}
	if _, err := rand.Read(w.sync[:]); err != nil {
		return nil, err
	}
	switch codec {
	case "null", "deflate", "snappy":
	case "zstd":
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		w.zenc = enc
	default:
		return nil, fmt.Errorf("unknown output_format_avro_codec %q (null, deflate, snappy or zstd)", codec)
	}
	h := append([]byte(nil), magic...)
	h = appendLong(h, 2)
	h = appendBytes(h, []byte("avro.codec"))
	name := codec
	if codec == "zstd" {
		name = "zstandard" // the specification's name of the codec
	}
	h = appendBytes(h, []byte(name))
	h = appendBytes(h, []byte("avro.schema"))
	h = appendBytes(h, schema)
	h = appendLong(h, 0)
	w.header = append(h, w.sync[:]...)
	return w, nil
}

// appendBlock appends a data block of count objects encoded in data.
func (w *ocfWriter) appendBlock(dst []byte, count int, data []byte) ([]byte, error) {
	var out []byte
	switch w.codec {
	case "null":
		out = data
	case "deflate":
		w.buf.Reset()
		if w.fw == nil {
			fw, err := flate.NewWriter(&w.buf, flate.DefaultCompression)
			if err != nil {
				return dst, err
			}
			w.fw = fw
		} else {
			w.fw.Reset(&w.buf)
		}
		if _, err := w.fw.Write(data); err != nil {
			return dst, err
		}
		if err := w.fw.Close(); err != nil {
			return dst, err
		}
		out = w.buf.Bytes()
	case "snappy":
		w.block = snappy.Encode(w.block[:cap(w.block)], data)
		out = binary.BigEndian.AppendUint32(w.block, crc32.ChecksumIEEE(data))
		w.block = out
	case "zstd":
		w.block = w.zenc.EncodeAll(data, w.block[:0])
		out = w.block
	}
	dst = appendLong(dst, int64(count))
	dst = appendBytes(dst, out)
	return append(dst, w.sync[:]...), nil
}
