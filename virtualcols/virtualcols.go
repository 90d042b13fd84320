package virtualcols

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Names of the virtual columns, exactly as ClickHouse spells them.
const (
	// Topic is the message's topic: dictionary<int32, utf8> (ClickHouse LowCardinality(String)).
	Topic = "_topic"
	// Key is the message key: utf8; a null key gives "".
	Key = "_key"
	// Offset is the message offset: uint64.
	Offset = "_offset"
	// Partition is the message's partition: uint64.
	Partition = "_partition"
	// Timestamp is the message timestamp truncated to seconds: nullable timestamp[s, UTC];
	// NULL when the message has no timestamp.
	Timestamp = "_timestamp"
	// TimestampMs is the message timestamp in milliseconds: nullable timestamp[ms, UTC].
	TimestampMs = "_timestamp_ms"
	// HeadersName is the header keys: list<utf8>, wire order, duplicates and empty names kept.
	HeadersName = "_headers.name"
	// HeadersValue is the header values: list<utf8>, same order as [HeadersName]; a nil
	// value gives "".
	HeadersValue = "_headers.value"
	// RawMessage is the payload of a message that failed to decode: utf8, "" for good rows.
	// Only kafka_handle_error_mode='stream' tables have it.
	RawMessage = "_raw_message"
	// Error is the decoder's error for a message that failed to decode: utf8, "" for good
	// rows. Only kafka_handle_error_mode='stream' tables have it.
	Error = "_error"
)

// metadataKey is the Arrow field metadata key carrying the ClickHouse type. It equals
// block.MetadataKey (this package cannot import block; a block test checks they agree).
const metadataKey = "clickhouse.type"

// all lists every virtual column in the documented order. It is never modified.
var all = [...]string{Topic, Key, Offset, Partition, Timestamp, TimestampMs, HeadersName, HeadersValue, RawMessage, Error}

// ErrUnknownColumn is returned (wrapped) by [Field] and [NewColumns] for a name that is not
// a virtual column.
var ErrUnknownColumn = errors.New("virtualcols: unknown virtual column")

// Names returns the names of all virtual columns in the order of the constants above
// ([Topic] first, [Error] last). The slice is a fresh copy the caller may modify.
func Names() []string {
	out := make([]string, len(all))
	copy(out, all[:])
	return out
}

// IsVirtual reports whether name is the name of a virtual column (case-sensitive).
func IsVirtual(name string) bool {
	switch name {
	case Topic, Key, Offset, Partition, Timestamp, TimestampMs, HeadersName, HeadersValue, RawMessage, Error:
		return true
	}
	return false
}

// Field returns the Arrow field of the virtual column name: its Arrow type, its nullability
// (only [Timestamp] and [TimestampMs] are nullable) and the "clickhouse.type" metadata with
// the ClickHouse type of SPEC §9. The error wraps [ErrUnknownColumn] for any other name.
func Field(name string) (arrow.Field, error) {
	var (
		dt       arrow.DataType
		chType   string
		nullable bool
	)
	switch name {
	case Topic:
		dt, chType = topicType(), "LowCardinality(String)"
	case Key, RawMessage, Error:
		dt, chType = arrow.BinaryTypes.String, "String"
	case Offset, Partition:
		dt, chType = arrow.PrimitiveTypes.Uint64, "UInt64"
	case Timestamp:
		dt, chType, nullable = &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, "Nullable(DateTime)", true
	case TimestampMs:
		dt, chType, nullable = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, "Nullable(DateTime64(3))", true
	case HeadersName, HeadersValue:
		dt, chType = arrow.ListOfField(headerElem()), "Array(String)"
	default:
		return arrow.Field{}, fmt.Errorf("%w %q", ErrUnknownColumn, name)
	}
	return arrow.Field{
		Name:     name,
		Type:     dt,
		Nullable: nullable,
		Metadata: arrow.NewMetadata([]string{metadataKey}, []string{chType}),
	}, nil
}

func topicType() *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
}

func headerElem() arrow.Field {
	return arrow.Field{Name: "item", Type: arrow.BinaryTypes.String}
}

// Header is one Kafka record header. A nil Value is read as "".
type Header struct {
	Key, Value []byte
}

// Message is the metadata of one Kafka message, shared by every row decoded from it.
// [Columns.Append] borrows it (and the byte slices it points to) for the call only.
type Message struct {
	// Topic is the message's topic (_topic).
	Topic string
	// Partition is the message's partition (_partition).
	Partition int32
	// Offset is the message's offset (_offset).
	Offset int64
	// Key is the message key (_key); nil gives "".
	Key []byte
	// Timestamp is the message timestamp; it is ignored unless HasTimestamp. _timestamp
	// truncates it to seconds, _timestamp_ms to milliseconds.
	Timestamp time.Time
	// HasTimestamp reports whether the message has a timestamp. When false _timestamp and
	// _timestamp_ms are NULL; a timestamp of 0 ms is 1970-01-01 00:00:00, not NULL.
	HasTimestamp bool
	// Headers are the record headers in wire order (_headers.name, _headers.value).
	Headers []Header
	// Raw is the payload of a message that failed to decode (_raw_message, stream mode).
	Raw []byte
	// Err is the decoder's error text for such a message (_error, stream mode).
	Err string
}

// vcol fills one virtual column.
type vcol interface {
	append(m *Message, n int)
	// reserve makes room for total rows in all, from rows rows now (see Columns.Reserve).
	reserve(rows, total int)
	newArray() arrow.Array
	release()
}

// Columns appends virtual-column values to Arrow builders. It is compiled once for a list of
// names by [NewColumns]; appending then runs one precompiled filler per column and does not
// allocate per row in steady state.
//
// A Columns is not safe for concurrent use. Its zero value is not usable. The caller must
// call [Columns.Release] when done.
type Columns struct {
	fields []arrow.Field
	cols   []vcol
	n      int
}

// NewColumns compiles the fillers for names, in that order, allocating Arrow memory from mem.
// It fails, wrapping [ErrUnknownColumn], for a name that is not a virtual column, and for a
// name given twice. An empty list is valid and gives no columns. The caller must call
// [Columns.Release].
func NewColumns(mem memory.Allocator, names []string) (*Columns, error) {
	c := &Columns{fields: make([]arrow.Field, 0, len(names)), cols: make([]vcol, 0, len(names))}
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		f, err := Field(name)
		if err != nil {
			c.Release()
			return nil, err
		}
		if seen[name] {
			c.Release()
			return nil, fmt.Errorf("virtualcols: virtual column %q requested twice", name)
		}
		seen[name] = true
		var col vcol
		switch name {
		case Topic:
			col = newTopicCol(mem)
		case Key:
			col = &bytesCol{b: array.NewStringBuilder(mem), get: func(m *Message) []byte { return m.Key }}
		case RawMessage:
			col = &bytesCol{b: array.NewStringBuilder(mem), get: func(m *Message) []byte { return m.Raw }}
		case Error:
			col = &errCol{b: array.NewStringBuilder(mem)}
		case Offset:
			col = &uint64Col{b: array.NewUint64Builder(mem), get: func(m *Message) uint64 { return uint64(m.Offset) }}
		case Partition:
			col = &uint64Col{b: array.NewUint64Builder(mem), get: func(m *Message) uint64 { return uint64(m.Partition) }}
		case Timestamp:
			col = &tsCol{b: array.NewTimestampBuilder(mem, f.Type.(*arrow.TimestampType)), ms: false}
		case TimestampMs:
			col = &tsCol{b: array.NewTimestampBuilder(mem, f.Type.(*arrow.TimestampType)), ms: true}
		case HeadersName:
			col = newHeadersCol(mem, false)
		case HeadersValue:
			col = newHeadersCol(mem, true)
		}
		c.fields = append(c.fields, f)
		c.cols = append(c.cols, col)
	}
	return c, nil
}

// Fields returns the Arrow fields of the compiled columns, in the order given to
// [NewColumns]. The caller must not modify the returned slice.
func (c *Columns) Fields() []arrow.Field { return c.fields }

// Append appends n rows, all carrying m's values. m is borrowed for the call only: byte
// slices are copied. n <= 0 appends nothing.
func (c *Columns) Append(m *Message, n int) {
	if n <= 0 {
		return
	}
	for _, col := range c.cols {
		col.append(m, n)
	}
	c.n += n
}

// Reserve makes room at once for total rows since the last [Columns.NewArrays], at the
// bytes per row of the rows appended so far plus 1/8 (arrow-go's builders round the
// number of values up to a power of two), so that the builders do not double as they fill.
// It does nothing before the first row, nor when total <= [Columns.Len]; it is a hint, and
// rows beyond total are appended as before.
func (c *Columns) Reserve(total int) {
	if c.n == 0 || total <= c.n {
		return
	}
	for _, col := range c.cols {
		col.reserve(c.n, total)
	}
}

// scaled is n, a size at rows rows, scaled to total rows, plus 1/8.
func scaled(n, rows, total int) int {
	n = int(int64(n) * int64(total) / int64(rows))
	return n + n/8
}

// reserveValues is Reserve for one builder's values.
func reserveValues(b array.Builder, rows, total int) {
	if n := b.Len(); n > 0 {
		if need := scaled(n, rows, total); need > b.Cap() {
			b.Reserve(need - n)
		}
	}
}

// reserveBytes is Reserve for the value bytes of a binary builder.
func reserveBytes(b *array.BinaryBuilder, rows, total int) {
	if n := b.DataLen(); n > 0 {
		if need := scaled(n, rows, total); need > b.DataCap() {
			b.ReserveData(need - n)
		}
	}
}

// Len returns the number of rows appended since the last [Columns.NewArrays].
func (c *Columns) Len() int { return c.n }

// NewArrays returns one array per column, in [Columns.Fields] order, each [Columns.Len] rows
// long, and resets the builders to empty. The caller owns the arrays and must Release each.
func (c *Columns) NewArrays() []arrow.Array {
	out := make([]arrow.Array, len(c.cols))
	for i, col := range c.cols {
		out[i] = col.newArray()
	}
	c.n = 0
	return out
}

// Release frees the builders' memory. The Columns must not be used afterwards. Release is
// idempotent.
func (c *Columns) Release() {
	for _, col := range c.cols {
		col.release()
	}
	c.cols = nil
	c.fields = nil
	c.n = 0
}

// topicCol builds _topic as indices plus a per-batch dictionary of the topics seen.
type topicCol struct {
	dt   *arrow.DictionaryType
	idx  *array.Int32Builder
	dict *array.StringBuilder
	ids  map[string]int32
	// last caches the previous message's topic: consecutive messages almost always share
	// it, so the common case is a string compare instead of a map lookup.
	last    string
	lastID  int32
	hasLast bool
}

func newTopicCol(mem memory.Allocator) *topicCol {
	return &topicCol{
		dt:   topicType(),
		idx:  array.NewInt32Builder(mem),
		dict: array.NewStringBuilder(mem),
		ids:  make(map[string]int32),
	}
}

func (t *topicCol) append(m *Message, n int) {
	var id int32
	if t.hasLast && m.Topic == t.last {
		id = t.lastID
	} else {
		var ok bool
		id, ok = t.ids[m.Topic]
		if !ok {
			id = int32(len(t.ids))
			t.ids[m.Topic] = id
			t.dict.Append(m.Topic)
		}
		t.last, t.lastID, t.hasLast = m.Topic, id, true
	}
	t.idx.Reserve(n)
	for range n {
		t.idx.UnsafeAppend(id)
	}
}

func (t *topicCol) reserve(rows, total int) { reserveValues(t.idx, rows, total) }

func (t *topicCol) newArray() arrow.Array {
	indices := t.idx.NewArray()
	defer indices.Release()
	dict := t.dict.NewArray()
	defer dict.Release()
	clear(t.ids)
	t.hasLast = false
	t.last = ""
	return array.NewDictionaryArray(t.dt, indices, dict)
}

func (t *topicCol) release() {
	t.idx.Release()
	t.dict.Release()
}

// bytesCol repeats a byte slice of the message (_key, _raw_message).
type bytesCol struct {
	b   *array.StringBuilder
	get func(m *Message) []byte
}

func (c *bytesCol) append(m *Message, n int) {
	v := c.get(m)
	c.b.Reserve(n)
	reserveData(c.b.BinaryBuilder, n*len(v))
	for range n {
		c.b.BinaryBuilder.Append(v)
	}
}

func (c *bytesCol) reserve(rows, total int) {
	reserveValues(c.b, rows, total)
	reserveBytes(c.b.BinaryBuilder, rows, total)
}

func (c *bytesCol) newArray() arrow.Array { return c.b.NewArray() }
func (c *bytesCol) release()              { c.b.Release() }

// reserveData makes room for n more value bytes, at least doubling the capacity:
// BinaryBuilder.ReserveData grows to the exact size, which would reallocate on nearly every
// small append.
func reserveData(b *array.BinaryBuilder, n int) {
	if need := b.DataLen() + n; need > b.DataCap() {
		b.ReserveData(max(need, 2*b.DataCap()) - b.DataLen())
	}
}

// errCol repeats Message.Err (_error).
type errCol struct{ b *array.StringBuilder }

func (c *errCol) append(m *Message, n int) {
	c.b.Reserve(n)
	reserveData(c.b.BinaryBuilder, n*len(m.Err))
	for range n {
		c.b.Append(m.Err)
	}
}

func (c *errCol) reserve(rows, total int) {
	reserveValues(c.b, rows, total)
	reserveBytes(c.b.BinaryBuilder, rows, total)
}

func (c *errCol) newArray() arrow.Array { return c.b.NewArray() }
func (c *errCol) release()              { c.b.Release() }

// uint64Col repeats _offset or _partition.
type uint64Col struct {
	b   *array.Uint64Builder
	get func(m *Message) uint64
}

func (c *uint64Col) append(m *Message, n int) {
	v := c.get(m)
	c.b.Reserve(n)
	for range n {
		c.b.UnsafeAppend(v)
	}
}

func (c *uint64Col) reserve(rows, total int) { reserveValues(c.b, rows, total) }
func (c *uint64Col) newArray() arrow.Array   { return c.b.NewArray() }
func (c *uint64Col) release()                { c.b.Release() }

// tsCol repeats _timestamp (seconds) or _timestamp_ms.
type tsCol struct {
	b  *array.TimestampBuilder
	ms bool
}

func (c *tsCol) append(m *Message, n int) {
	if !m.HasTimestamp {
		c.b.AppendNulls(n)
		return
	}
	var v arrow.Timestamp
	if c.ms {
		v = arrow.Timestamp(m.Timestamp.UnixMilli())
	} else {
		v = arrow.Timestamp(m.Timestamp.Unix())
	}
	c.b.Reserve(n)
	for range n {
		c.b.UnsafeAppend(v)
	}
}

func (c *tsCol) reserve(rows, total int) { reserveValues(c.b, rows, total) }
func (c *tsCol) newArray() arrow.Array   { return c.b.NewArray() }
func (c *tsCol) release()                { c.b.Release() }

// headersCol repeats the header names or values as one list per row.
type headersCol struct {
	b      *array.ListBuilder
	vb     *array.StringBuilder
	values bool
}

func newHeadersCol(mem memory.Allocator, values bool) *headersCol {
	b := array.NewListBuilderWithField(mem, headerElem())
	return &headersCol{b: b, vb: b.ValueBuilder().(*array.StringBuilder), values: values}
}

func (c *headersCol) append(m *Message, n int) {
	size := 0
	for i := range m.Headers {
		if c.values {
			size += len(m.Headers[i].Value)
		} else {
			size += len(m.Headers[i].Key)
		}
	}
	c.b.Reserve(n)
	c.vb.Reserve(n * len(m.Headers))
	reserveData(c.vb.BinaryBuilder, n*size)
	for range n {
		c.b.Append(true)
		for i := range m.Headers {
			if c.values {
				c.vb.BinaryBuilder.Append(m.Headers[i].Value)
			} else {
				c.vb.BinaryBuilder.Append(m.Headers[i].Key)
			}
		}
	}
}

func (c *headersCol) reserve(rows, total int) {
	reserveValues(c.b, rows, total)
	reserveValues(c.vb, rows, total)
	reserveBytes(c.vb.BinaryBuilder, rows, total)
}

func (c *headersCol) newArray() arrow.Array { return c.b.NewArray() }
func (c *headersCol) release()              { c.b.Release() }
