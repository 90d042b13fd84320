package separated

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/format/internal/escape"
	tt "github.com/chkafka/chkafka/format/internal/texttest"
)

// csvLayout is the layout and options format/csv compiles for s (format/csv imports this
// package, so its tests cannot be used here): keep the two in step.
func csvLayout(s format.Settings, names, types bool) (Layout, Options) {
	l := Layout{
		Name: "CSV", Format: "CSV", Pkg: "csv", Rule: escape.CSV,
		FieldDelim: string(s.CSVDelimiter), RowAfter: "\n",
		WithNames: names, WithTypes: names && types, CSV: true,
		EmptyOK: !names, EmptyErr: "Attempt to read after eof",
	}
	o := Options{
		Read: escape.ReadOptions{
			NullAsDefault: s.NullAsDefault, CSVNull: s.CSVNullRepresentation, EmptyAsDefault: s.CSVEmptyAsDefault,
			CSVDelimiter: s.CSVDelimiter, CSVSingleQuotes: s.CSVAllowSingleQuotes, CSVDoubleQuotes: s.CSVAllowDoubleQuotes,
		},
		SkipUnknownFields: s.SkipUnknownFields,
		UseNamesHeader:    s.WithNamesUseHeader,
		UseTypesHeader:    s.WithTypesUseHeader,
	}
	return l, o
}

// pathCase is one configuration of the CSV decoder whose two row loops are compared.
type pathCase struct {
	name         string
	defs         []string
	names, types bool
	s            format.Settings
}

// pathCols has a column of every kind the fast paths treat differently: integers (read
// as they are scanned), strings (quoted values sliced from the payload), Nullable values
// (NULL), and the rest.
var pathCols = []string{"u UInt64", "s String", "i Int8", "n Nullable(Int32)", "ns Nullable(String)",
	"f Float64", "fs FixedString(3)", "d Date", "a Array(Int8)", "e Enum8('a' = 1, 'b' = 2)", "lc LowCardinality(String)"}

func pathCases() []pathCase {
	def := format.DefaultSettings()
	with := func(f func(*format.Settings)) format.Settings {
		s := format.DefaultSettings()
		f(&s)
		return s
	}
	return []pathCase{
		{name: "defaults", defs: pathCols, s: def},
		{name: "queue", defs: []string{"timestamp UInt64", "level String", "message String"}, s: def},
		{name: "one column", defs: []string{"x Int64"}, s: def},
		{name: "one string", defs: []string{"x String"}, s: def},
		{name: "names", defs: pathCols, names: true, s: def},
		{name: "names and types", defs: pathCols, names: true, types: true, s: def},
		{name: "names, skip unknown", defs: pathCols, names: true, s: with(func(s *format.Settings) { s.SkipUnknownFields = true })},
		{name: "names not used", defs: pathCols, names: true, s: with(func(s *format.Settings) { s.WithNamesUseHeader = false })},
		{name: "pipe", defs: pathCols, s: with(func(s *format.Settings) { s.CSVDelimiter = '|' })},
		{name: "tab", defs: pathCols, s: with(func(s *format.Settings) { s.CSVDelimiter = '\t' })},
		{name: "space", defs: pathCols, s: with(func(s *format.Settings) { s.CSVDelimiter = ' ' })},
		{name: "digit delimiter", defs: pathCols, s: with(func(s *format.Settings) { s.CSVDelimiter = '1' })},
		{name: "quote delimiter", defs: pathCols, s: with(func(s *format.Settings) { s.CSVDelimiter = '"' })},
		{name: "single quotes", defs: pathCols, s: with(func(s *format.Settings) { s.CSVAllowSingleQuotes = true })},
		{name: "no double quotes", defs: pathCols, s: with(func(s *format.Settings) {
			s.CSVAllowDoubleQuotes = false
			s.CSVAllowSingleQuotes = true
		})},
		{name: "empty not default", defs: pathCols, s: with(func(s *format.Settings) { s.CSVEmptyAsDefault = false })},
		{name: "null not default", defs: pathCols, s: with(func(s *format.Settings) { s.NullAsDefault = false })},
		{name: "digit NULL", defs: pathCols, s: with(func(s *format.Settings) { s.CSVNullRepresentation = "0" })},
		{name: "NULL text", defs: pathCols, s: with(func(s *format.Settings) { s.CSVNullRepresentation = "NULL" })},
		{name: "empty NULL", defs: pathCols, s: with(func(s *format.Settings) { s.CSVNullRepresentation = "" })},
	}
}

// pathPayloads exercise both paths of every field: what the fast paths take and every way
// out of them. Each is also tried with its "," replaced by the case's delimiter.
var pathPayloads = []string{
	"",
	"\n",
	"\r\n",
	"\r",
	"1715621234,\"info\",\"GET /api/v1/users/1 200 5ms\"\n",
	"1715621234,\"info\",\"GET /api/v1/users/1 200 5ms\"",
	"1715621234,\"info\",\"GET /api/v1/users/1 200 5ms\"\r\n",
	"1715621234,\"info\",\"GET /api/v1/users/1 200 5ms\"\r",
	"1,\"a\",\"b\"\n2,\"c\",\"d\"\n3,\"e\",\"f\"",
	"1,\"a\",\"b\"\r\n2,\"c\",\"d\"\r\n",
	`7,"say ""hi""",-3,\N,"x ""y"" z",0.5,abc,2020-01-02,"[1,2]",a,lc` + "\n",
	`7,"multi` + "\n" + `line, with, commas",1,2,"\r\n",1e3,"ab",19000,[],b,""` + "\n",
	" 1 ,\t\"s\" , 2\t,  3 , \"x\"  ,1,abc,2020-01-01,[],1,x \n",
	",,,,,,,,,,\n",
	`,"",,"",""` + "\n",
	`\N,\N,\N,\N,\N,\N,\N,\N,\N,\N,\N` + "\n",
	`NULL,NULL,NULL,NULL,NULL` + "\n",
	"0,0,0,0,0,0,000,0,[0],1,0\n",
	"123456789012345678,s,127,-2147483648,x\n",
	"1234567890123456789,s,128,2147483648,x\n",
	"12345678901234567890,s,-129,99999999999,x\n",
	"18446744073709551615,s,-0,+5,x\n",
	"18446744073709551616,s,+1,-,x\n",
	"-1,s,1x,2 3,x\n",
	"1 2,s,1\t,2 ,x\n",
	"12a,s,3\r4,5\r\n",
	"0x10,s,1.5,1e2,x\n",
	"'q',\"unterminated\n",
	"1,\"closed\"garbage,2\n",
	"1,\"closed\" ,2\n",
	"1,\"closed\"\t\n",
	"1,\"a\"\"\",3\n",
	"1,\"\"\"\",3\n",
	"1,\"\",3\n",
	"1,\"\"\"",
	"1,\"",
	"\"",
	"\"1\",\"2\",\"3\"\n",
	"'1','it''s','3'\n",
	"'1,2',3\n",
	"1,2\n\n3,4\n",
	"1,2,3,4,5,6,7,8,9,10,11,12,13\n",
	"1\n",
	"1,",
	"1,\"x\"\n\n",
	"\xEF\xBB\xBF1,\"bom\"\n",
	"u,s,i,n,ns,f,fs,d,a,e,lc\n1,\"x\",2,3,\"y\",0.5,abc,2020-01-01,[1],a,z\n",
	"u,s,i,n,ns,f,fs,d,a,e,lc\nUInt64,String,Int8,Nullable(Int32),Nullable(String),Float64,FixedString(3),Date,Array(Int8),Enum8('a' = 1, 'b' = 2),LowCardinality(String)\n1,\"x\",2,3,\"y\",0.5,abc,2020-01-01,[1],a,z\n",
	"s,u,zzz,i\n\"x\",1,\"skipped\",2\n\"y\",3,\"\"\"\",4\n",
	"zzz,u\n1,2\n",
	"timestamp,level,message\n1,\"info\",\"m\"\n",
	"u\n1\n2\n",
	"u,u\n1,2\n",
}

// pathRig holds a case's decoders: the CSV row loop's, and one forced onto the general loop.
type pathRig struct {
	c    pathCase
	decs [2]*decoder
	rows [2]*block.Rows
	b    [2]*block.Builder
}

func newPathRig(t testing.TB, c pathCase) *pathRig {
	cols, err := block.ParseColumns(c.defs)
	require.NoError(t, err)
	l, o := csvLayout(c.s, c.names, c.types)
	r := &pathRig{c: c}
	for i := range r.decs {
		dec, err := NewDecoder(block.Schema(cols), l, o)
		require.NoError(t, err)
		r.decs[i] = dec.(*decoder)
		require.True(t, r.decs[i].csv, "the CSV layout must take the CSV row loop")
		r.rows[i] = block.NewRows(cols, block.Options{NullAsDefault: c.s.NullAsDefault})
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r.b[i], err = block.NewBuilder(mem, cols, nil)
		require.NoError(t, err)
		t.Cleanup(func() {
			r.b[i].Release()
			mem.AssertSize(t, 0)
		})
	}
	r.decs[1].csv = false
	return r
}

// decodeBoth decodes payload with the CSV row loop and with the general one and checks
// that they agree: the same error text, or the same rows.
func (r *pathRig) decodeBoth(t *testing.T, payload []byte) {
	t.Helper()
	var got [2][][]string
	var errs [2]string
	for i, d := range r.decs {
		rows := r.rows[i]
		rows.Reset()
		if err := d.Decode(rows, payload); err != nil {
			errs[i] = err.Error()
			continue
		}
		r.b[i].Append(rows, nil)
		rec := r.b[i].NewRecordBatch()
		for k := range rec.NumCols() {
			got[i] = append(got[i], tt.Strs(rec.Column(int(k))))
		}
		rec.Release()
	}
	require.Equal(t, errs[1], errs[0], "%s: error of %q", r.c.name, payload)
	require.Equal(t, got[1], got[0], "%s: rows of %q", r.c.name, payload)
}

// TestCSVRowsMatchGeneralLoop checks that csvRows, with escape.Field.ReadCSV's shortcuts,
// decodes exactly what the general row loop with Field.Read decodes, rows and errors.
func TestCSVRowsMatchGeneralLoop(t *testing.T) {
	for _, c := range pathCases() {
		t.Run(c.name, func(t *testing.T) {
			r := newPathRig(t, c)
			for _, p := range pathPayloads {
				r.decodeBoth(t, []byte(p))
				if d := string(c.s.CSVDelimiter); d != "," {
					r.decodeBoth(t, []byte(strings.ReplaceAll(p, ",", d)))
				}
			}
		})
	}
}

// TestCSVRowsValues pins down values only the fast paths read in the queue schema, so a
// change that broke both loops alike would still fail.
func TestCSVRowsValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, err := block.ParseColumns([]string{"timestamp UInt64", "level String", "message String"})
	require.NoError(t, err)
	l, o := csvLayout(format.DefaultSettings(), false, false)
	dec, err := NewDecoder(block.Schema(cols), l, o)
	require.NoError(t, err)
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	payload := "1715621234,\"info\",\"GET \"\"/\"\" 200, ok\"\r\n" +
		"18446744073709551615 ,warning,\"two\nlines\"\n" +
		"0,\"\",\n" +
		"\\N,\\N,\"\\N\""
	require.NoError(t, dec.Decode(rows, []byte(payload)))
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	b.Append(rows, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	assert.Equal(t, []string{"1715621234", "18446744073709551615", "0", "0"}, tt.Strs(rec.Column(0)))
	assert.Equal(t, []string{"info", "warning", "", ""}, tt.Strs(rec.Column(1)))
	assert.Equal(t, []string{`GET "/" 200, ok`, "two\nlines", "", `\N`}, tt.Strs(rec.Column(2)))
}

// FuzzCSVRows compares the two row loops on arbitrary payloads for every configuration.
func FuzzCSVRows(f *testing.F) {
	for _, p := range pathPayloads {
		f.Add([]byte(p))
	}
	for _, dir := range []string{"../../csv/testdata"} {
		entries, err := os.ReadDir(dir)
		require.NoError(f, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(f, err)
			f.Add(b)
		}
	}
	var rigs []*pathRig
	for _, c := range pathCases() {
		rigs = append(rigs, newPathRig(f, c))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, r := range rigs {
			r.decodeBoth(t, payload)
		}
	})
}
