package parquet

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/block"
)

// LowCardinality columns are written with their plain value type, as ClickHouse writes
// them to Parquet (Parquet's dictionary encoding still applies to the pages): pqarrow
// mishandles dictionary arrays of some value types (uint32 and uint64 values beyond the
// signed range fail, timestamp[s] values are stored unscaled).

// hasLowCardinality reports whether t is or contains LowCardinality.
func hasLowCardinality(t *block.Type) bool {
	switch t.Kind {
	case block.LowCardinality:
		return true
	case block.Nullable, block.Array:
		return hasLowCardinality(t.Elem)
	case block.Map:
		return hasLowCardinality(t.Key) || hasLowCardinality(t.Value)
	case block.Tuple:
		for _, f := range t.Fields {
			if hasLowCardinality(f.Type) {
				return true
			}
		}
	}
	return false
}

// stripLowCardinality returns t with every LowCardinality(T) replaced by T.
func stripLowCardinality(t *block.Type) *block.Type {
	switch t.Kind {
	case block.LowCardinality:
		return stripLowCardinality(t.Elem)
	case block.Nullable, block.Array:
		c := *t
		c.Elem = stripLowCardinality(t.Elem)
		return &c
	case block.Map:
		c := *t
		c.Key, c.Value = stripLowCardinality(t.Key), stripLowCardinality(t.Value)
		return &c
	case block.Tuple:
		c := *t
		c.Fields = make([]block.TupleField, len(t.Fields))
		for i, f := range t.Fields {
			c.Fields[i] = block.TupleField{Name: f.Name, Type: stripLowCardinality(f.Type)}
		}
		return &c
	}
	return t
}

// dense returns arr (of ClickHouse type t) with its LowCardinality dictionaries decoded,
// typed dt (the Arrow type of stripLowCardinality(t)). The caller releases the result.
func dense(mem memory.Allocator, arr arrow.Array, t *block.Type, dt arrow.DataType) (arrow.Array, error) {
	if !hasLowCardinality(t) {
		arr.Retain()
		return arr, nil
	}
	switch t.Kind {
	case block.Nullable:
		return dense(mem, arr, t.Elem, dt)
	case block.LowCardinality:
		ctx := compute.WithAllocator(context.Background(), mem)
		return compute.CastArray(ctx, arr, compute.SafeCastOptions(dt))
	case block.Array:
		l := arr.(array.ListLike)
		child, err := dense(mem, l.ListValues(), t.Elem, dt.(*arrow.ListType).Elem())
		if err != nil {
			return nil, err
		}
		defer child.Release()
		return rebuild(arr, dt, child), nil
	case block.Map:
		m := arr.(*array.Map)
		mt := dt.(*arrow.MapType)
		keys, err := dense(mem, m.Keys(), t.Key, mt.KeyType())
		if err != nil {
			return nil, err
		}
		defer keys.Release()
		items, err := dense(mem, m.Items(), t.Value, mt.ItemType())
		if err != nil {
			return nil, err
		}
		defer items.Release()
		entries := m.ListValues()
		st := mt.Elem().(*arrow.StructType)
		sd := array.NewData(st, entries.Len(), entries.Data().Buffers(), []arrow.ArrayData{keys.Data(), items.Data()}, entries.NullN(), entries.Data().Offset())
		defer sd.Release()
		s := array.MakeFromData(sd)
		defer s.Release()
		return rebuild(arr, dt, s), nil
	case block.Tuple:
		// The children of the data, not Struct.Field: those are sliced to the struct's
		// offset, which the rebuilt struct applies itself.
		st := dt.(*arrow.StructType)
		children := make([]arrow.ArrayData, len(t.Fields))
		for k, f := range t.Fields {
			child := array.MakeFromData(arr.Data().Children()[k])
			c, err := dense(mem, child, f.Type, st.Field(k).Type)
			child.Release()
			if err != nil {
				for _, d := range children[:k] {
					d.Release()
				}
				return nil, err
			}
			children[k] = c.Data()
			c.Data().Retain()
			c.Release()
		}
		d := array.NewData(dt, arr.Len(), arr.Data().Buffers(), children, arr.NullN(), arr.Data().Offset())
		for _, c := range children {
			c.Release()
		}
		defer d.Release()
		return array.MakeFromData(d), nil
	}
	arr.Retain()
	return arr, nil
}

// rebuild returns a list-like array like arr, typed dt, over the child values.
func rebuild(arr arrow.Array, dt arrow.DataType, child arrow.Array) arrow.Array {
	d := array.NewData(dt, arr.Len(), arr.Data().Buffers(), []arrow.ArrayData{child.Data()}, arr.NullN(), arr.Data().Offset())
	defer d.Release()
	return array.MakeFromData(d)
}
