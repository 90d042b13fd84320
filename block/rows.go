package block

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// Options change how staged values are converted. The zero value is ClickHouse's behaviour
// with input_format_null_as_default = 0 and date_time_input_format = 'basic'.
type Options struct {
	// NullAsDefault is input_format_null_as_default: a NULL for a column that is not
	// Nullable gives the type's default instead of an error wrapping [ErrNotNullable].
	NullAsDefault bool
	// DateTimeBestEffort is date_time_input_format = 'best_effort': DateTime and DateTime64
	// text may be ISO 8601 / RFC 3339 ("2020-01-02T03:04:05.123+03:00", "...Z", YYYYMMDD,
	// YYYYMMDDhhmmss) besides the 'basic' forms "YYYY-MM-DD hh:mm:ss[.fff]", "YYYY-MM-DD"
	// and unix seconds.
	DateTimeBestEffort bool
}

// Rows stages decoded rows before they are copied into a block. A decoder appends values
// column by column through [Rows.Col] and calls [Rows.EndRow] after each row. Only after
// a whole message decoded does the engine copy its rows with [Builder.Append] (or
// [Builder.AppendRange], when one Rows stages several messages in turn); on error the
// engine calls [Rows.Reset] or [Rows.Truncate] back to the rows before the message, so a
// broken message leaves nothing behind.
//
// Values are converted to the column's type when they are appended (see [Col]); staged data
// lives in plain Go slices that [Rows.Reset] truncates but keeps, so in steady state staging
// allocates nothing per row.
//
// A Rows is not safe for concurrent use. Its zero value is not usable: use [NewRows].
type Rows struct {
	cols   []Column
	c      []*Col
	nested []*Col // the columns of c that can be left open (Array, Map, Tuple)
	index  map[string]int
	n      int
}

// NewRows returns an empty Rows for cols converting values per opts. cols must be valid (as
// from [ParseColumns] or [ColumnsFromSchema]); NewRows keeps the slice, which the caller
// must not modify afterwards. Time zones of DateTime columns are resolved here, once; a zone
// that cannot be loaded makes every time value appended to that column fail ([NewBuilder]
// reports it up front).
func NewRows(cols []Column, opts Options) *Rows {
	r := &Rows{cols: cols, c: make([]*Col, len(cols)), index: make(map[string]int, len(cols))}
	var dt19Row *dt19Cache
	for i, c := range cols {
		col := newCol(c.Name, c.Type, opts)
		r.c[i] = col
		if _, dup := r.index[c.Name]; !dup {
			r.index[c.Name] = i
		}
		if col.rep == repList || col.rep == repMap || col.rep == repTuple {
			r.nested = append(r.nested, col)
		}
		if col.text == textDateTime19UTC {
			if dt19Row == nil {
				e := dt19Epoch
				dt19Row = &e
			}
			col.dt19Row = dt19Row
		}
	}
	return r
}

// Columns returns the columns the Rows was created with. The caller must not modify them.
func (r *Rows) Columns() []Column { return r.cols }

// NumCols returns the number of columns.
func (r *Rows) NumCols() int { return len(r.c) }

// Col returns column i (0 <= i < [Rows.NumCols]). The pointer stays valid for the life of
// the Rows; decoders may keep it in their compiled plans.
func (r *Rows) Col(i int) *Col { return r.c[i] }

// Index returns the index of the column called name, or -1 if there is none. It does a map
// lookup: decoders call it when they compile their plan, not per row.
func (r *Rows) Index(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	return -1
}

// Len returns the number of completed rows (rows ended with [Rows.EndRow]).
func (r *Rows) Len() int { return r.n }

// EndRow completes the current row: every column that got no value in this row gets its
// type's default ([Col.AppendDefault]; a Tuple column whose elements were partly set gets
// defaults for the others). It fails when a column got two values in the row, or an Array,
// Map or Tuple was begun and not ended; the error names the column. On error the partial row
// is discarded and the rows completed before stay staged.
func (r *Rows) EndRow() error {
	// The common case alone first: every column got one value, and none is left open
	// (only the nested columns can be: Begin* panics on the others).
	n1 := r.n + 1
	for _, c := range r.c {
		if c.n != n1 {
			return r.endRowSlow()
		}
	}
	for _, c := range r.nested {
		if c.open {
			return r.endRowSlow()
		}
	}
	r.n = n1
	return nil
}

// endRowSlow is EndRow when a column got no value, or two, or is left open.
func (r *Rows) endRowSlow() error {
	for _, c := range r.c {
		var err error
		switch d := c.n - r.n; {
		case d == 1 && !c.open:
		case d == 0 && c.rep == repTuple:
			err = c.EndTuple()
		case d == 0 && !c.open:
			c.AppendDefault()
		case d == 0:
			err = fmt.Errorf("block: column %q (%s): %s not ended", c.name, c.typ, c.kind)
		default:
			err = fmt.Errorf("block: column %q (%s): value set twice in one row", c.name, c.typ)
		}
		if err != nil {
			for _, c := range r.c {
				c.truncate(r.n)
			}
			return err
		}
	}
	r.n++
	return nil
}

// Reset drops all staged rows, including a partial row, and keeps the allocated capacity.
func (r *Rows) Reset() {
	for _, c := range r.c {
		c.reset()
	}
	r.n = 0
}

// Truncate keeps the first n completed rows and drops the others, including a partial
// row, keeping the allocated capacity. It panics if n is negative or above [Rows.Len].
func (r *Rows) Truncate(n int) {
	if n < 0 || n > r.n {
		panic(fmt.Sprintf("block: Rows.Truncate(%d) with %d rows", n, r.n))
	}
	for _, c := range r.c {
		c.truncate(n)
	}
	r.n = n
}

// rep is how a Col stores its values.
type rep uint8

const (
	repI8 rep = iota + 1
	repI16
	repI32
	repI64
	repU8
	repU16
	repU32
	repU64
	repF32
	repF64
	repBool
	repStr   // bin holds the bytes, offs the n+1 offsets
	repFixed // bin holds width bytes per value
	repD128
	repD256
	repList  // offs holds the n+1 element offsets into elem
	repMap   // offs holds the n+1 entry offsets into key and val
	repTuple // fields hold one column per element
)

// Col is one staged column, or a nested element of one (an Array's elements, a Map's keys
// or values, a Tuple's element). The Append methods convert a value to the column's type
// and fail loudly on lossy conversions (out of range, fractional into an integer, a string
// too long for FixedString, an unknown Enum name or value, a bad date) with a [*ValueError]
// naming the column, the type and the value; a failed Append stages nothing.
//
// Nullable(T) and LowCardinality(T) columns accept what T accepts. Calling an Append method
// the type has no conversion for (AppendInt on a UUID, ...) is an error too. Calling
// BeginArray/BeginMap/BeginTuple on a column of another kind is a programming error and
// panics.
//
// A Col belongs to its [Rows] and shares its concurrency rules. Appending does not allocate
// in steady state and never boxes values.
type Col struct {
	// The fields every value touches come first, so that staging a value, ending a row,
	// resetting and appending to the builder read one or two cache lines of a Col.
	kind     Kind // base.Kind
	rep      rep
	nullable bool
	open     bool // an Array, Map or Tuple value is begun and not ended
	opts     Options
	text     textPath // AppendText's path
	n        int      // number of values
	bin      []byte   // repStr, repFixed
	offs     []int32
	valid    []bool  // Nullable only: one per value
	i64      []int64 // Int64, DateTime (seconds), DateTime64 (ticks of the Arrow unit)
	i8       []int8
	elem     *Col // Array

	name string
	typ  *Type // as declared
	base *Type // typ without Nullable and LowCardinality

	i16   []int16
	i32   []int32 // Int32, Date, Date32 (days), Enum positions when there are > 32768 values
	u8    []uint8
	u16   []uint16
	u32   []uint32
	u64   []uint64
	f32   []float32
	f64   []float64
	bools []bool
	d128  []decimal128.Num
	d256  []decimal256.Num

	width int // FixedString(N) and UUID byte width

	key, val *Col // Map
	fields   []*Col
	fieldIdx map[string]int

	// Integer ranges of Int*/UInt* columns.
	imin, imax int64

	// Enum: positions are stored (the Arrow dictionary indices).
	enumByName  enumNames
	enumByValue map[int16]int32
	enumDefault int32

	// DateTime, DateTime64.
	loc     *time.Location
	locErr  error
	unitExp int // digits of the Arrow unit: 0, 3, 6 or 9
	// DateTime: the last text converted and its seconds (dtText != nil). Columns often
	// repeat a value from row to row (a default such as "1970-01-01 00:00:00", the hour
	// of a file), and comparing the text is cheaper than parsing it.
	dtText []byte
	dtSec  int64
	// DateTime in UTC: the last "YYYY-MM-DD hh:mm:ss" text that dateTime19UTC converted
	// for this column (1970-01-01 00:00:00 until there is one), and the last one it
	// converted for any column of the row (dt19Row, shared by the top-level columns of
	// a Rows; &dt19 for the others): a row's times often share their date or repeat
	// each other (created_at and updated_at).
	dt19    dt19Cache
	dt19Row *dt19Cache

	// Decimal: 10^Precision, the first magnitude out of range.
	decLimit u256

	scratch []byte // formatting numbers into String columns, quoting errors
}

func newCol(name string, t *Type, opts Options) *Col {
	c := &Col{name: name, typ: t, base: t.base(), opts: opts, nullable: t.IsNullable()}
	c.kind = c.base.Kind
	b := c.base
	switch c.kind {
	case Int8:
		c.rep, c.imin, c.imax = repI8, -1<<7, 1<<7-1
	case Int16:
		c.rep, c.imin, c.imax = repI16, -1<<15, 1<<15-1
	case Int32:
		c.rep, c.imin, c.imax = repI32, -1<<31, 1<<31-1
	case Int64:
		c.rep, c.imin, c.imax = repI64, -1<<63, 1<<63-1
	case UInt8:
		c.rep, c.imax = repU8, 1<<8-1
	case UInt16:
		c.rep, c.imax = repU16, 1<<16-1
	case UInt32:
		c.rep, c.imax = repU32, 1<<32-1
	case UInt64:
		c.rep, c.imax = repU64, 1<<63-1
	case Float32:
		c.rep = repF32
	case Float64:
		c.rep = repF64
	case Bool:
		c.rep = repBool
	case String:
		c.rep = repStr
	case FixedString:
		c.rep, c.width = repFixed, b.Len
	case UUID:
		c.rep, c.width = repFixed, 16
	case Date, Date32:
		c.rep = repI32
	case DateTime, DateTime64:
		c.rep = repI64
		c.loc, c.locErr = loadLocation(b.TZ)
		c.dt19 = dt19Epoch
		c.dt19Row = &c.dt19
		if c.kind == DateTime64 {
			c.unitExp = unitExp(b.Precision)
		}
	case Decimal:
		c.rep = repD128
		if b.Precision > 38 {
			c.rep = repD256
		}
		c.decLimit = pow10u256(b.Precision)
	case Enum8, Enum16:
		switch enumIndexType(b).ID() {
		case arrow.INT8:
			c.rep = repI8
		case arrow.INT16:
			c.rep = repI16
		default:
			c.rep = repI32
		}
		c.enumByName = newEnumNames(b.Enum)
		c.enumByValue = make(map[int16]int32, len(b.Enum))
		c.enumDefault = 0 // the first declared value, unless 0 is declared
		for i, v := range b.Enum {
			c.enumByValue[v.Value] = int32(i)
			if v.Value == 0 {
				c.enumDefault = int32(i)
			}
		}
	case Array:
		c.rep = repList
		c.elem = newCol(name+"[]", b.Elem, opts)
	case Map:
		c.rep = repMap
		c.key = newCol(name+".key", b.Key, opts)
		c.val = newCol(name+".value", b.Value, opts)
	case Tuple:
		c.rep = repTuple
		c.fieldIdx = make(map[string]int, len(b.Fields))
		for i, f := range b.Fields {
			fname := tupleFieldName(f.Name, i)
			c.fields = append(c.fields, newCol(name+"."+fname, f.Type, opts))
			c.fieldIdx[fname] = i
		}
		for i := range b.Fields { // "1", "2", ... reach elements of named tuples too
			if _, ok := c.fieldIdx[strconv.Itoa(i+1)]; !ok {
				c.fieldIdx[strconv.Itoa(i+1)] = i
			}
		}
	}
	if c.rep == repStr || c.rep == repList || c.rep == repMap {
		c.offs = []int32{0}
	}
	switch {
	case c.rep == repStr:
		c.text = textStr
	case c.kind == DateTime && c.loc == time.UTC && c.locErr == nil && !opts.DateTimeBestEffort:
		c.text = textDateTime19UTC
	case c.kind == Enum8 || c.kind == Enum16:
		c.text = textEnum
	}
	return c
}

// textPath is the path of [Col.AppendText] for a column: the commonest text columns
// have their own, tried in this order, before the type switch of the others.
type textPath uint8

const (
	textOther         textPath = iota
	textStr                    // String, LowCardinality(String)
	textDateTime19UTC          // DateTime in UTC, basic format: dateTime19UTC, for texts of 19 bytes
	textEnum                   // Enum8, Enum16
)

// unitExp is the number of fractional digits of the Arrow unit of DateTime64(p).
func unitExp(p int) int {
	switch {
	case p == 0:
		return 0
	case p <= 3:
		return 3
	case p <= 6:
		return 6
	}
	return 9
}

// Name returns the column's name; nested columns are named after their parent: "a[]" for
// the elements of Array a, "m.key"/"m.value" for Map m, "t.name" (or "t.1", 1-based, for an
// unnamed element) for Tuple t.
func (c *Col) Name() string { return c.name }

// Type returns the column's declared type. The caller must not modify it.
func (c *Col) Type() *Type { return c.typ }

// Len returns the number of values staged in the column, including those of a row not yet
// ended.
func (c *Col) Len() int { return c.n }

// commit records one appended non-NULL value.
func (c *Col) commit() {
	c.n++
	if c.nullable {
		c.valid = append(c.valid, true)
	}
}

// pushInt stores v in the integer or float representation; the caller checked the range.
func (c *Col) pushInt(v int64) {
	switch c.rep {
	case repI8:
		c.i8 = append(c.i8, int8(v))
	case repI16:
		c.i16 = append(c.i16, int16(v))
	case repI32:
		c.i32 = append(c.i32, int32(v))
	case repI64:
		c.i64 = append(c.i64, v)
	case repU8:
		c.u8 = append(c.u8, uint8(v))
	case repU16:
		c.u16 = append(c.u16, uint16(v))
	case repU32:
		c.u32 = append(c.u32, uint32(v))
	case repU64:
		c.u64 = append(c.u64, uint64(v))
	case repF32:
		c.f32 = append(c.f32, float32(v))
	case repF64:
		c.f64 = append(c.f64, float64(v))
	case repBool:
		c.bools = append(c.bools, v != 0)
	}
}

// pushZero stores the type default of a scalar (used for defaults and under NULLs).
func (c *Col) pushZero() {
	switch c.rep {
	case repStr:
		c.offs = append(c.offs, int32(len(c.bin)))
	case repFixed:
		c.bin = appendZeros(c.bin, c.width)
	case repD128:
		c.d128 = append(c.d128, decimal128.Num{})
	case repD256:
		c.d256 = append(c.d256, decimal256.Num{})
	case repList, repMap:
		c.offs = append(c.offs, c.offs[len(c.offs)-1])
	case repTuple:
		for _, f := range c.fields {
			f.AppendDefault()
		}
	default:
		if c.kind == Enum8 || c.kind == Enum16 {
			c.pushInt(int64(c.enumDefault))
		} else {
			c.pushInt(0)
		}
	}
}

// appendZeros appends n zero bytes to b.
func appendZeros(b []byte, n int) []byte {
	l := len(b)
	b = slices.Grow(b, n)[:l+n]
	clear(b[l:])
	return b
}

// AppendDefault appends the type's default: NULL for Nullable (and LowCardinality(Nullable))
// columns, else 0, false, "", zero bytes for FixedString and UUID, 1970-01-01 (00:00:00)
// for dates and times, the Enum's value 0 if declared or else its first declared value, an
// empty Array or Map, and a Tuple of its elements' defaults (elements already set in an
// unfinished tuple are not considered: use [Col.EndTuple] for that).
func (c *Col) AppendDefault() {
	if c.nullable {
		c.appendNull()
		return
	}
	c.pushZero()
	c.open = false
	c.n++
}

func (c *Col) appendNull() {
	c.pushZero()
	c.n++
	c.valid = append(c.valid, false)
}

// AppendNull appends NULL. For a Nullable (or LowCardinality(Nullable)) column that is a
// NULL; for any other column it is the type's default when [Options.NullAsDefault] is set
// and otherwise a [*ValueError] wrapping [ErrNotNullable].
func (c *Col) AppendNull() error {
	switch {
	case c.nullable:
		c.appendNull()
	case c.opts.NullAsDefault:
		c.AppendDefault()
	default:
		return &ValueError{Column: c.name, Type: c.typ.String(), Reason: "NULL for a non-Nullable column (input_format_null_as_default is off)", Err: ErrNotNullable}
	}
	return nil
}

// reset drops all values: truncate(0), without the bookkeeping of a partial truncation
// (Reset runs once per message on every column).
func (c *Col) reset() {
	c.open = false
	c.n = 0
	c.valid = c.valid[:0]
	switch c.rep {
	case repI8:
		c.i8 = c.i8[:0]
	case repI16:
		c.i16 = c.i16[:0]
	case repI32:
		c.i32 = c.i32[:0]
	case repI64:
		c.i64 = c.i64[:0]
	case repU8:
		c.u8 = c.u8[:0]
	case repU16:
		c.u16 = c.u16[:0]
	case repU32:
		c.u32 = c.u32[:0]
	case repU64:
		c.u64 = c.u64[:0]
	case repF32:
		c.f32 = c.f32[:0]
	case repF64:
		c.f64 = c.f64[:0]
	case repBool:
		c.bools = c.bools[:0]
	case repD128:
		c.d128 = c.d128[:0]
	case repD256:
		c.d256 = c.d256[:0]
	case repStr:
		c.offs, c.bin = c.offs[:1], c.bin[:0]
	case repFixed:
		c.bin = c.bin[:0]
	case repList:
		c.offs = c.offs[:1]
		c.elem.reset()
	case repMap:
		c.offs = c.offs[:1]
		c.key.reset()
		c.val.reset()
	case repTuple:
		for _, f := range c.fields {
			f.reset()
		}
	}
}

// truncate drops values from index n on (n <= c.n).
func (c *Col) truncate(n int) {
	c.open = false
	if n >= c.n && c.rep != repTuple && c.rep != repList && c.rep != repMap {
		return
	}
	if n > c.n {
		n = c.n
	}
	c.n = n
	if c.nullable {
		c.valid = c.valid[:n]
	}
	switch c.rep {
	case repI8:
		c.i8 = c.i8[:n]
	case repI16:
		c.i16 = c.i16[:n]
	case repI32:
		c.i32 = c.i32[:n]
	case repI64:
		c.i64 = c.i64[:n]
	case repU8:
		c.u8 = c.u8[:n]
	case repU16:
		c.u16 = c.u16[:n]
	case repU32:
		c.u32 = c.u32[:n]
	case repU64:
		c.u64 = c.u64[:n]
	case repF32:
		c.f32 = c.f32[:n]
	case repF64:
		c.f64 = c.f64[:n]
	case repBool:
		c.bools = c.bools[:n]
	case repD128:
		c.d128 = c.d128[:n]
	case repD256:
		c.d256 = c.d256[:n]
	case repStr:
		c.offs = c.offs[:n+1]
		c.bin = c.bin[:c.offs[n]]
	case repFixed:
		c.bin = c.bin[:n*c.width]
	case repList:
		c.offs = c.offs[:n+1]
		c.elem.truncate(int(c.offs[n]))
	case repMap:
		c.offs = c.offs[:n+1]
		c.key.truncate(int(c.offs[n]))
		c.val.truncate(int(c.offs[n]))
	case repTuple:
		for _, f := range c.fields {
			f.truncate(n)
		}
	}
}

// BeginArray starts an Array value and returns the column of its elements: append the
// elements to it, then call [Col.EndArray]. It panics if the column is not an Array.
func (c *Col) BeginArray() *Col {
	c.mustBe(repList, "BeginArray")
	c.open = true
	return c.elem
}

// EndArray ends the Array value begun with [Col.BeginArray]; its elements are those appended
// to the element column since the previous value. Without BeginArray, it appends an empty
// Array when no element was appended since the previous value. It panics if the column is
// not an Array.
func (c *Col) EndArray() {
	c.mustBe(repList, "EndArray")
	c.offs = append(c.offs, int32(c.elem.n))
	c.open = false
	c.n++
}

// BeginMap starts a Map value and returns the columns of its keys and values: append one
// key and one value per entry, then call [Col.EndMap]. Entries keep their order; duplicate
// keys are kept. It panics if the column is not a Map.
func (c *Col) BeginMap() (key, value *Col) {
	c.mustBe(repMap, "BeginMap")
	c.open = true
	return c.key, c.val
}

// EndMap ends the Map value begun with [Col.BeginMap]. It fails when the numbers of keys and
// values appended differ (the Map stays open; the engine resets the Rows after a decode
// error). It panics if the column is not a Map.
func (c *Col) EndMap() error {
	c.mustBe(repMap, "EndMap")
	if c.key.n != c.val.n {
		return fmt.Errorf("block: column %q (%s): map value with %d keys and %d values",
			c.name, c.typ, c.key.n-int(c.offs[len(c.offs)-1]), c.val.n-int(c.offs[len(c.offs)-1]))
	}
	c.offs = append(c.offs, int32(c.key.n))
	c.open = false
	c.n++
	return nil
}

// NumFields returns the number of elements of a Tuple column, 0 for other columns.
func (c *Col) NumFields() int { return len(c.fields) }

// Field returns the column of Tuple element i (0-based). It panics if the column is not a
// Tuple or i is out of range.
func (c *Col) Field(i int) *Col {
	c.mustBe(repTuple, "Field")
	return c.fields[i]
}

// FieldIndex returns the index of the Tuple element called name, or -1. Elements can also
// be named by their 1-based position ("1", "2", ...), which is how unnamed elements are
// named. It returns -1 for a column that is not a Tuple.
func (c *Col) FieldIndex(name string) int {
	if i, ok := c.fieldIdx[name]; ok {
		return i
	}
	return -1
}

// BeginTuple starts a Tuple value: set its elements through [Col.Field], each at most once,
// then call [Col.EndTuple]. At the top level of a row BeginTuple is optional: [Rows.EndRow]
// ends a tuple whose elements were set. It panics if the column is not a Tuple.
func (c *Col) BeginTuple() {
	c.mustBe(repTuple, "BeginTuple")
	c.open = true
}

// EndTuple ends a Tuple value: elements not set get their defaults. It fails, naming the
// element, when an element was set twice. It panics if the column is not a Tuple.
func (c *Col) EndTuple() error {
	c.mustBe(repTuple, "EndTuple")
	for _, f := range c.fields {
		switch f.n - c.n {
		case 0:
			if f.open {
				return fmt.Errorf("block: column %q (%s): %s not ended", f.name, f.typ, f.kind)
			}
			if f.rep == repTuple {
				if err := f.EndTuple(); err != nil {
					return err
				}
				continue
			}
			f.AppendDefault()
		case 1:
			if f.open {
				return fmt.Errorf("block: column %q (%s): %s not ended", f.name, f.typ, f.kind)
			}
		default:
			return fmt.Errorf("block: column %q (%s): tuple element set twice", f.name, f.typ)
		}
	}
	c.open = false
	c.n++
	return nil
}

func (c *Col) mustBe(r rep, method string) {
	if c.rep != r {
		panic(fmt.Sprintf("block: %s on column %q of type %s", method, c.name, c.typ))
	}
}

// ValueError reports a value a column cannot hold. Its text names the column, the type and
// the value, e.g. `block: column "val3" (UInt8): value 300 out of range`.
type ValueError struct {
	Column string // the column's name ([Col.Name])
	Type   string // the column's type ([Type.String])
	Value  string // the offending value as text (quoted when it came as text), "" for NULL
	Reason string // what is wrong with it, e.g. "out of range"
	Err    error  // an underlying error or sentinel ([ErrNotNullable]), may be nil
}

// Error returns `block: column "name" (Type): value V reason`.
func (e *ValueError) Error() string {
	var sb strings.Builder
	sb.WriteString("block: column ")
	sb.WriteString(strconv.Quote(e.Column))
	sb.WriteString(" (")
	sb.WriteString(e.Type)
	sb.WriteString("): ")
	if e.Value != "" {
		sb.WriteString("value ")
		sb.WriteString(e.Value)
		sb.WriteString(" ")
	}
	sb.WriteString(e.Reason)
	return sb.String()
}

// Unwrap returns Err.
func (e *ValueError) Unwrap() error { return e.Err }

func (c *Col) valueErr(value, reason string) error {
	return &ValueError{Column: c.name, Type: c.typ.String(), Value: value, Reason: reason}
}

// textErr reports text v with a reason; v is quoted and cut to a readable length.
func (c *Col) textErr(v []byte, reason string) error {
	const max = 128
	s := string(v)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return c.valueErr(strconv.Quote(s), reason)
}

func (c *Col) intRangeErr(v int64) error {
	return c.valueErr(strconv.FormatInt(v, 10), "out of range")
}

func (c *Col) noConversion(what string) error {
	return &ValueError{Column: c.name, Type: c.typ.String(), Reason: "cannot be set from " + what}
}
