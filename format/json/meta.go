package json

import (
	"fmt"

	"github.com/chkafka/chkafka/block"
)

// documentPrefix reads the start of a JSON, JSONCompact or JSONColumnsWithMetadata
// document up to and including the opening bracket (open) of its "data" member:
// `{"meta": [...], ..., "data": [`. With mapFields the metadata's column names set d.fields
// (JSONCompact's rows are arrays in the order of the metadata). Syntax errors are
// *syntaxError values, disagreements with the table *schemaError values.
func (d *decoder) documentPrefix(open byte, mapFields bool) error {
	if err := d.expectSpaced('{'); err != nil {
		return err
	}
	if err := d.readMeta(mapFields); err != nil {
		return err
	}
	if err := d.expectSpaced(','); err != nil {
		return err
	}
	if err := d.seekField("data"); err != nil {
		return err
	}
	return d.expectSpaced(open)
}

// documentSuffix reads the end of a document after its data: the closing bracket of the
// data (close; 0 when already consumed), the members after it, the closing '}', and then
// nothing but whitespace. (ClickHouse ignores what follows the document; a Kafka message is
// one document, so trailing bytes are reported here.)
func (d *decoder) documentSuffix(close byte) error {
	if close != 0 {
		if err := d.expectSpaced(close); err != nil {
			return err
		}
	}
	for !d.skipSpaced('}') {
		if err := d.expectSpaced(','); err != nil {
			return err
		}
		if _, err := d.readFieldName(); err != nil {
			return err
		}
		if err := d.skipValue(); err != nil {
			return err
		}
	}
	return d.expectEOF()
}

// readMeta reads `"meta": [{"name": "...", "type": "..."}, ...]` and checks the type of
// every entry that names a column (input_format_json_validate_types_from_metadata, on by
// default in ClickHouse). With mapFields it also maps the entries to columns in d.fields.
func (d *decoder) readMeta(mapFields bool) error {
	name, err := d.readFieldName()
	if err != nil {
		return err
	}
	if string(name) != "meta" {
		return &syntaxError{msg: `Expected field "meta" with columns names and types, found field ` + string(name)}
	}
	if err := d.expectSpaced('['); err != nil {
		return err
	}
	d.startHeader()
	for n := 0; !d.skipSpaced(']'); n++ {
		if n > 0 {
			if err := d.expectSpaced(','); err != nil {
				return err
			}
		}
		if err := d.readMetaEntry(); err != nil {
			return err
		}
		idx, ok := d.index[string(d.metaName)]
		if !ok {
			idx = unknownField
		}
		if idx >= 0 {
			if err := d.checkMetaType(idx, d.metaType); err != nil {
				return err
			}
		}
		if mapFields {
			if err := d.mapField(d.metaName, idx); err != nil {
				return err
			}
		}
	}
	if mapFields {
		d.fields = d.fieldBuf
	}
	return nil
}

// readMetaEntry reads {"name": "...", "type": "..."} (in either order) into d.metaName and
// d.metaType.
func (d *decoder) readMetaEntry() error {
	if err := d.expectSpaced('{'); err != nil {
		return err
	}
	var keys [2]string
	for k := range 2 {
		if k == 1 {
			if err := d.expectSpaced(','); err != nil {
				return err
			}
		}
		key, err := d.readFieldName()
		if err != nil {
			return err
		}
		var dst *[]byte
		switch string(key) {
		case "name":
			keys[k], dst = "name", &d.metaName
		case "type":
			keys[k], dst = "type", &d.metaType
		default:
			keys[k] = string(key)
		}
		d.skipSpace()
		v, err := d.readJSONString()
		if err != nil {
			return err
		}
		if dst != nil {
			*dst = append((*dst)[:0], v...)
		}
	}
	if !(keys[0] == "name" && keys[1] == "type" || keys[0] == "type" && keys[1] == "name") {
		return &syntaxError{msg: fmt.Sprintf(`Expected two fields "name" and "type" with column name and type, found fields %q and %q`, keys[0], keys[1])}
	}
	return d.expectSpaced('}')
}

// seekField moves past the members of the document up to `"want":` (ClickHouse's
// skipUntilFieldInObject, which also skips the values of other members here).
func (d *decoder) seekField(want string) error {
	for {
		name, err := d.readFieldName()
		if err != nil {
			return err
		}
		if string(name) == want {
			return nil
		}
		if err := d.skipValue(); err != nil {
			return err
		}
		if d.skipSpaced('}') {
			return &syntaxError{msg: `Expected field "` + want + `" with table content`}
		}
		if err := d.expectSpaced(','); err != nil {
			return err
		}
	}
}

// sameType reports whether the type name typ (from a header or metadata) is the type of
// column idx: the same spelling, or a spelling of the same type (aliases, spacing).
func (d *decoder) sameType(idx int, typ []byte) (bool, error) {
	if string(typ) == d.types[idx] {
		return true, nil
	}
	t, err := block.ParseType(string(typ))
	if err != nil {
		return false, err
	}
	return t.String() == d.types[idx], nil
}

func (d *decoder) checkMetaType(idx int, typ []byte) error {
	same, err := d.sameType(idx, typ)
	if err != nil {
		return &schemaError{msg: fmt.Sprintf("Cannot parse type %q of column '%s' from metadata: %s", typ, d.names[idx], err.Error())}
	}
	if !same {
		return &schemaError{msg: fmt.Sprintf("Type %s of column '%s' from metadata is not the same as type in header %s", typ, d.names[idx], d.types[idx])}
	}
	return nil
}

// startHeader starts mapping the fields of a header or of metadata to columns.
func (d *decoder) startHeader() {
	d.gen++
	if d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	d.fieldBuf = d.fieldBuf[:0]
}

// mapField appends the column of the next input field (idx from the name lookup) to
// d.fieldBuf, as ClickHouse's addInputColumn does: unknown names are skipped
// (input_format_skip_unknown_fields) or an error, a repeated column is an error.
func (d *decoder) mapField(name []byte, idx int) error {
	if idx < 0 {
		if !d.skipUnknown {
			return &schemaError{msg: fmt.Sprintf("Unknown field found in %s header: '%s' at position %d", d.kind, name, len(d.fieldBuf))}
		}
		d.fieldBuf = append(d.fieldBuf, -1)
		return nil
	}
	if d.seen[idx] == d.gen {
		return &schemaError{msg: fmt.Sprintf("Duplicate field found while parsing %s header: %s", d.kind, d.names[idx])}
	}
	d.seen[idx] = d.gen
	d.fieldBuf = append(d.fieldBuf, idx)
	return nil
}
