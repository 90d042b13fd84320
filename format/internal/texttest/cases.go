package texttest

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
)

// settingsOr returns *s, or format.DefaultSettings() when s is nil.
func settingsOr(s *format.Settings) format.Settings {
	if s == nil {
		return format.DefaultSettings()
	}
	return *s
}

// formatOr returns f, or def when f is nil.
func formatOr(f, def format.Format) format.Format {
	if f == nil {
		return def
	}
	return f
}

// Registered checks that name looks up want, a format that is not block-oriented.
func Registered(t *testing.T, name string, want format.Format) {
	t.Helper()
	f, err := format.Lookup(name)
	require.NoError(t, err, name)
	assert.Equal(t, want, f, name)
	assert.False(t, format.IsBlockOriented(f), name)
}

// DecodeColumns decodes payloads, which must be good, with f's decoder for defs and
// returns every column rendered by [Strs].
func DecodeColumns(t *testing.T, f format.Format, defs []string, s format.Settings, payloads ...string) [][]string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := NewHarness(t, mem, f, defs, s)
	defer h.Release()
	return h.Columns(payloads...)
}

// RowsCase is good messages and the columns they decode to.
type RowsCase struct {
	Name     string
	F        format.Format    // nil: the format DecodeRows is given
	Cols     []string         // column definitions
	S        *format.Settings // nil: format.DefaultSettings()
	Payloads []string
	Want     [][]string // every column rendered by [Strs]
}

// DecodeRows runs each case as a subtest: its payloads must decode to Want.
func DecodeRows(t *testing.T, f format.Format, cases []RowsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			assert.Equal(t, tc.Want, DecodeColumns(t, formatOr(tc.F, f), tc.Cols, settingsOr(tc.S), tc.Payloads...))
		})
	}
}

// ErrorCase is a message that must fail to decode.
type ErrorCase struct {
	Name    string
	F       format.Format    // nil: the format DecodeErrors is given
	Cols    []string         // column definitions
	S       *format.Settings // nil: format.DefaultSettings()
	Payload string
	Want    string // substring of the error text
	Row     int    // the *escape.ParseError's Row
	Column  string // and Column
}

// DecodeErrors runs each case as a subtest: its payload must be an error that stages no
// row, whose text contains Want and whose *escape.ParseError names Row and Column. check,
// when not nil, runs the format's own checks of the error.
func DecodeErrors(t *testing.T, f format.Format, cases []ErrorCase, check func(t *testing.T, tc ErrorCase, err error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			h := NewHarness(t, mem, formatOr(tc.F, f), tc.Cols, settingsOr(tc.S))
			defer h.Release()
			_, err := h.Decode(tc.Payload)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.Want)
			var pe *escape.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.Row, pe.Row, "row")
			assert.Equal(t, tc.Column, pe.Column, "column")
			if check != nil {
				check(t, tc, err)
			}
		})
	}
}

// GarbageIsOneError checks that every message of [Garbage] is an error for each of
// formats, reading the [KeyValue] table with settings s (VECTORS.md §3).
func GarbageIsOneError(t *testing.T, s format.Settings, formats ...format.Format) {
	t.Helper()
	for _, f := range formats {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		h := NewHarness(t, mem, f, KeyValue, s)
		for _, p := range Garbage {
			_, err := h.Decode(p)
			require.Error(t, err, "%#v %q", f, p)
		}
		h.Release()
		mem.AssertSize(t, 0)
	}
}

// OtherRowsError checks that f's decoder for the column "a Int8" (nil settings) fails on
// rows staged for another table ("a Int8", "b Int8") with an error that is not a
// *escape.ParseError: the caller's mistake, not the message's.
func OtherRowsError(t *testing.T, f format.Format, payload string) {
	t.Helper()
	cols, err := block.ParseColumns([]string{"a Int8"})
	require.NoError(t, err)
	dec, err := f.NewDecoder(block.Schema(cols), nil)
	require.NoError(t, err)
	other, err := block.ParseColumns([]string{"a Int8", "b Int8"})
	require.NoError(t, err)
	err = dec.Decode(block.NewRows(other, block.Options{}), []byte(payload))
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*escape.ParseError)))
}
