package chbin

import (
	"errors"
	"fmt"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format/internal/binio"
)

// RowReader reads one value in ClickHouse's RowBinary encoding from r and stages it into
// c, a column of the type the reader was compiled for.
type RowReader func(r *binio.Reader, c *block.Col) error

// Skipper reads one value in RowBinary encoding from r and drops it.
type Skipper func(r *binio.Reader) error

var errArraySize = errors.New("Array size is too large")

// checkSize refuses an element count that cannot fit the bytes left (every element takes
// at least one byte), before a loop runs that many times.
func checkSize(r *binio.Reader, n uint64) error {
	if n > uint64(r.Len()) {
		return fmt.Errorf("%w: %d elements, %d bytes left", errArraySize, n, r.Len())
	}
	return nil
}

// CompileRow returns the RowBinary reader of type t. scratch is a buffer for text
// conversions that must outlive the reader and not be shared concurrently.
func CompileRow(t *block.Type, scratch *[]byte) (RowReader, error) {
	switch t.Kind {
	case block.Nullable:
		inner, err := CompileRow(t.Elem, scratch)
		if err != nil {
			return nil, err
		}
		return func(r *binio.Reader, c *block.Col) error {
			flag, err := r.Byte()
			if err != nil {
				return err
			}
			if flag != 0 {
				return c.AppendNull()
			}
			return inner(r, c)
		}, nil
	case block.LowCardinality:
		return CompileRow(t.Elem, scratch) // LowCardinality(T) is written as T
	case block.Array:
		elem, err := CompileRow(t.Elem, scratch)
		if err != nil {
			return nil, err
		}
		return func(r *binio.Reader, c *block.Col) error {
			n, err := r.Uvarint()
			if err != nil {
				return err
			}
			if err := checkSize(r, n); err != nil {
				return err
			}
			el := c.BeginArray()
			for range n {
				if err := elem(r, el); err != nil {
					return err
				}
			}
			c.EndArray()
			return nil
		}, nil
	case block.Map:
		key, err := CompileRow(t.Key, scratch)
		if err != nil {
			return nil, err
		}
		val, err := CompileRow(t.Value, scratch)
		if err != nil {
			return nil, err
		}
		return func(r *binio.Reader, c *block.Col) error {
			n, err := r.Uvarint()
			if err != nil {
				return err
			}
			if err := checkSize(r, n); err != nil {
				return err
			}
			kc, vc := c.BeginMap()
			for range n {
				if err := key(r, kc); err != nil {
					return err
				}
				if err := val(r, vc); err != nil {
					return err
				}
			}
			return c.EndMap()
		}, nil
	case block.Tuple:
		fields := make([]RowReader, len(t.Fields))
		for k, f := range t.Fields {
			fr, err := CompileRow(f.Type, scratch)
			if err != nil {
				return nil, err
			}
			fields[k] = fr
		}
		return func(r *binio.Reader, c *block.Col) error {
			c.BeginTuple()
			for k, f := range fields {
				if err := f(r, c.Field(k)); err != nil {
					return err
				}
			}
			return c.EndTuple()
		}, nil
	case block.String:
		return func(r *binio.Reader, c *block.Col) error {
			b, err := r.String()
			if err != nil {
				return err
			}
			return c.AppendText(b)
		}, nil
	}
	w := Width(t)
	if w == 0 {
		return nil, fmt.Errorf("type %s is not supported", t)
	}
	sc, err := compileScalar(t, t, scratch)
	if err != nil {
		return nil, err
	}
	return func(r *binio.Reader, c *block.Col) error {
		b, err := r.Fixed(w)
		if err != nil {
			return err
		}
		return sc(c, b)
	}, nil
}

// CompileSkip returns the RowBinary skipper of type t.
func CompileSkip(t *block.Type) (Skipper, error) {
	switch t.Kind {
	case block.Nullable:
		inner, err := CompileSkip(t.Elem)
		if err != nil {
			return nil, err
		}
		return func(r *binio.Reader) error {
			flag, err := r.Byte()
			if err != nil || flag != 0 {
				return err
			}
			return inner(r)
		}, nil
	case block.LowCardinality:
		return CompileSkip(t.Elem)
	case block.Array, block.Map:
		var elems []Skipper
		if t.Kind == block.Array {
			elem, err := CompileSkip(t.Elem)
			if err != nil {
				return nil, err
			}
			elems = []Skipper{elem}
		} else {
			key, err := CompileSkip(t.Key)
			if err != nil {
				return nil, err
			}
			val, err := CompileSkip(t.Value)
			if err != nil {
				return nil, err
			}
			elems = []Skipper{key, val}
		}
		return func(r *binio.Reader) error {
			n, err := r.Uvarint()
			if err != nil {
				return err
			}
			if err := checkSize(r, n); err != nil {
				return err
			}
			for range n {
				for _, e := range elems {
					if err := e(r); err != nil {
						return err
					}
				}
			}
			return nil
		}, nil
	case block.Tuple:
		fields := make([]Skipper, len(t.Fields))
		for k, f := range t.Fields {
			fs, err := CompileSkip(f.Type)
			if err != nil {
				return nil, err
			}
			fields[k] = fs
		}
		return func(r *binio.Reader) error {
			for _, f := range fields {
				if err := f(r); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case block.String:
		return func(r *binio.Reader) error {
			_, err := r.String()
			return err
		}, nil
	}
	w := Width(t)
	if w == 0 {
		return nil, fmt.Errorf("type %s is not supported", t)
	}
	return func(r *binio.Reader) error {
		_, err := r.Fixed(w)
		return err
	}, nil
}
