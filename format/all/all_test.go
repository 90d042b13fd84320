package all_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	_ "github.com/chkafka/chkafka/format/all"
)

// garbage are the payloads of ClickHouse's test_kafka_bad_messages and
// test_formats_errors, a truncated binary row and an oversized garbage message.
var garbage = map[string][]byte{
	"qwertyuiop":     []byte("qwertyuiop"),
	"asdfghjkl":      []byte("asdfghjkl"),
	"zxcvbnm":        []byte("zxcvbnm"),
	"poiuytrewq":     []byte("poiuytrewq"),
	"broken lines":   []byte("Broken message\nBroken message\nBroken message\n"),
	"truncated":      {0x05, 0x01, 0x02, 'i', 'd', 0x05, 'I', 'n', 't'},
	"binary garbage": {0xff, 0xfe, 0x00, 0x80, 0xc1, 0xde, 0xad, 0xbe, 0xef},
	// 2.5 MiB of text, of a length no fixed-width binary row divides.
	"oversized": append(bytes.Repeat([]byte("qwertyuiop"), 1<<18), "qwe"...),
}

// validAnyway lists, per format, garbage that is well-formed data in that format for a
// (key UInt64, value UInt64) table, so it cannot be an error; ClickHouse's bad-message
// tests leave these formats out for the same reason.
var validAnyway = map[string]map[string]bool{
	// Every ASCII byte is a MessagePack positive fixint: text is a run of UInt64s.
	"MsgPack": {"qwertyuiop": true, "asdfghjkl": true, "zxcvbnm": true, "poiuytrewq": true, "broken lines": true, "oversized": true},
	// Each column is preceded by a flag byte, and any non-zero flag means "default":
	// an even-length text is rows of defaults.
	"RowBinaryWithDefaults": {"qwertyuiop": true, "poiuytrewq": true, "broken lines": true, "oversized": true},
}

// settingsFor gives formats that need a setting to be usable the one they need.
func settingsFor(name string) *format.Settings {
	s := format.DefaultSettings()
	if name == "Regexp" {
		s.Regexp = `(\d+) (\d+)`
	}
	return &s
}

// Every registered decoder gives exactly one error for each garbage message: never
// rows, never a panic (issue 3 and issue 5). Formats that cannot be used for a
// (key UInt64, value UInt64) table without a schema file are skipped with the reason.
func TestGarbageEveryFormat(t *testing.T) {
	cols, err := block.ParseColumns([]string{"key UInt64", "value UInt64"})
	require.NoError(t, err)
	schema := block.Schema(cols)
	names := format.Names()
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, err := format.Lookup(name)
			require.NoError(t, err)
			dec, err := f.NewDecoder(schema, settingsFor(name))
			if errors.Is(err, errors.ErrUnsupported) {
				t.Skipf("%s is output-only", name)
			}
			if err != nil {
				t.Skipf("%s cannot decode a (key UInt64, value UInt64) table as configured here: %v", name, err)
			}
			rows := block.NewRows(cols, block.Options{NullAsDefault: true})
			for gname, payload := range garbage {
				rows.Reset()
				err := func() (err error) {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("%s panicked on %s: %v", name, gname, r)
						}
					}()
					return dec.Decode(rows, payload)
				}()
				if validAnyway[name][gname] {
					continue
				}
				assert.Errorf(t, err, "%s decoded garbage %q into %d rows without an error", name, gname, rows.Len())
			}
		})
	}
}
