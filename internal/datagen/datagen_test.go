package datagen_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chkafka/chkafka/block"
	"github.com/chkafka/chkafka/format"
	"github.com/chkafka/chkafka/internal/datagen"
	"github.com/chkafka/chkafka/virtualcols"

	_ "github.com/chkafka/chkafka/format/all"
)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// generate is Queue or GitHubEvents.
type generate func(mem memory.Allocator, seed uint64, n int) (arrow.RecordBatch, error)

// chunked generates n rows as batches of the given sizes from one generator.
type chunked func(mem memory.Allocator, seed uint64, sizes ...int) ([]arrow.RecordBatch, error)

var generators = []struct {
	name    string
	gen     generate
	chunked chunked
	cols    []string
}{
	{"queue", datagen.Queue, func(mem memory.Allocator, seed uint64, sizes ...int) ([]arrow.RecordBatch, error) {
		g, err := datagen.NewQueueGenerator(seed)
		if err != nil {
			return nil, err
		}
		return nextAll(sizes, func(n int) (arrow.RecordBatch, error) { return g.Next(mem, n) })
	}, datagen.QueueColumns},
	{"github", datagen.GitHubEvents, func(mem memory.Allocator, seed uint64, sizes ...int) ([]arrow.RecordBatch, error) {
		g, err := datagen.NewGitHubGenerator(seed)
		if err != nil {
			return nil, err
		}
		return nextAll(sizes, func(n int) (arrow.RecordBatch, error) { return g.Next(mem, n) })
	}, datagen.GitHubColumns},
}

func nextAll(sizes []int, next func(int) (arrow.RecordBatch, error)) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	for _, n := range sizes {
		rec, err := next(n)
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// rowStrings renders every row as its columns' ValueStr, so that batches with different
// dictionaries but the same values compare equal.
func rowStrings(recs ...arrow.RecordBatch) [][]string {
	var out [][]string
	for _, rec := range recs {
		for i := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				row[j] = col.ValueStr(i)
			}
			out = append(out, row)
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	for _, tc := range generators {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			a, err := tc.gen(mem, 42, 500)
			require.NoError(t, err)
			defer a.Release()
			b, err := tc.gen(mem, 42, 500)
			require.NoError(t, err)
			defer b.Release()
			c, err := tc.gen(mem, 43, 500)
			require.NoError(t, err)
			defer c.Release()

			assert.True(t, array.RecordEqual(a, b), "same seed, same batch")
			assert.False(t, array.RecordEqual(a, c), "another seed, other rows")
			assert.NotEqual(t, rowStrings(a)[1:], rowStrings(c)[1:])
		})
	}
}

func TestRowCounts(t *testing.T) {
	for _, tc := range generators {
		for _, n := range []int{0, 1, 7, 1000} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, n), func(t *testing.T) {
				mem := checkedMem(t)
				rec, err := tc.gen(mem, 1, n)
				require.NoError(t, err)
				defer rec.Release()
				assert.EqualValues(t, n, rec.NumRows())
				assert.EqualValues(t, len(tc.cols), rec.NumCols())
				for _, col := range rec.Columns() {
					assert.Equal(t, n, col.Len())
				}
			})
		}
	}
	_, err := datagen.Queue(memory.DefaultAllocator, 1, -1)
	assert.Error(t, err)
}

// A generator's successive batches are one stream: splitting n rows into batches gives
// the same rows.
func TestChunksAreOneStream(t *testing.T) {
	for _, tc := range generators {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			whole, err := tc.gen(mem, 9, 300)
			require.NoError(t, err)
			defer whole.Release()
			parts, err := tc.chunked(mem, 9, 1, 99, 0, 200)
			require.NoError(t, err)
			defer func() {
				for _, p := range parts {
					p.Release()
				}
			}()
			assert.Equal(t, rowStrings(whole), rowStrings(parts...))
		})
	}
}

// The batches have exactly the schema the engine derives from the column definitions.
func TestSchemaMatchesColumns(t *testing.T) {
	for _, tc := range generators {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			cols, err := block.ParseColumns(tc.cols)
			require.NoError(t, err)
			rec, err := tc.gen(mem, 1, 3)
			require.NoError(t, err)
			defer rec.Release()
			assert.True(t, block.Schema(cols).Equal(rec.Schema()), "schema %s", rec.Schema())
		})
	}
}

func TestGitHubColumns(t *testing.T) {
	cols, err := block.ParseColumns(datagen.GitHubColumns)
	require.NoError(t, err)
	require.Len(t, cols, 25)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	assert.Equal(t, []string{"file_time", "event_type", "actor_login", "repo_name", "created_at",
		"updated_at", "action", "comment_id", "path", "ref", "ref_type", "creator_user_login", "number",
		"title", "labels", "state", "assignee", "assignees", "closed_at", "merged_at",
		"merge_commit_sha", "requested_reviewers", "merged_by", "review_comments", "member_login"}, names)

	enums := map[string]struct {
		names []string
		first int16
	}{
		"event_type": {datagen.GitHubEventTypes, 1},
		"action":     {datagen.GitHubActions, 0},
		"ref_type":   {datagen.GitHubRefTypes, 0},
		"state":      {datagen.GitHubStates, 0},
	}
	for _, c := range cols {
		want, ok := enums[c.Name]
		if !ok {
			continue
		}
		assert.Equal(t, block.Enum8, c.Type.Kind, c.Name)
		require.Len(t, c.Type.Enum, len(want.names), c.Name)
		for i, v := range c.Type.Enum {
			assert.Equal(t, want.names[i], v.Name, c.Name)
			assert.Equal(t, want.first+int16(i), v.Value, c.Name)
		}
	}
	assert.Len(t, datagen.GitHubEventTypes, 22)
	assert.Len(t, datagen.GitHubActions, 21)
}

func TestGitHubSampleRow(t *testing.T) {
	mem := checkedMem(t)
	rec, err := datagen.GitHubEvents(mem, 7, 2)
	require.NoError(t, err)
	defer rec.Release()
	col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
	assert.Equal(t, "IgorMinar", col("actor_login").ValueStr(0))
	assert.Equal(t, "CommitCommentEvent", col("event_type").ValueStr(0))
	created := col("created_at").(*array.Timestamp).Value(0)
	assert.Equal(t, time.Date(2011, 2, 12, 2, 22, 0, 0, time.UTC), created.ToTime(arrow.Second))
}

// Enum dictionaries are the declared names in order and the indices their positions.
func TestGitHubEnumEncoding(t *testing.T) {
	mem := checkedMem(t)
	rec, err := datagen.GitHubEvents(mem, 3, 2000)
	require.NoError(t, err)
	defer rec.Release()
	for name, names := range map[string][]string{
		"event_type": datagen.GitHubEventTypes, "action": datagen.GitHubActions,
		"ref_type": datagen.GitHubRefTypes, "state": datagen.GitHubStates,
	} {
		d := rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Dictionary)
		assert.Equal(t, arrow.PrimitiveTypes.Int8, d.DataType().(*arrow.DictionaryType).IndexType, name)
		dict := d.Dictionary().(*array.String)
		require.Equal(t, len(names), dict.Len(), name)
		for i := range names {
			assert.Equal(t, names[i], dict.Value(i), name)
		}
	}
}

// The values are plausible: the columns of each event type are set or empty as GitHub's.
func TestGitHubPlausible(t *testing.T) {
	mem := checkedMem(t)
	rec, err := datagen.GitHubEvents(mem, 5, 5000)
	require.NoError(t, err)
	defer rec.Release()
	col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
	types := map[string]int{}
	actors := map[string]bool{}
	first := time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	labels := col("labels").(*array.List)
	for i := range int(rec.NumRows()) {
		typ := col("event_type").ValueStr(i)
		types[typ]++
		actors[col("actor_login").ValueStr(i)] = true
		created := col("created_at").(*array.Timestamp).Value(i).ToTime(arrow.Second)
		assert.False(t, created.Before(first) || !created.Before(end), "created_at %s", created)
		start, stop := labels.ValueOffsets(i)
		assert.LessOrEqual(t, stop-start, int64(3))
		switch typ {
		case "IssuesEvent", "PullRequestEvent":
			assert.NotEmpty(t, col("title").ValueStr(i))
			assert.NotZero(t, col("number").(*array.Uint32).Value(i))
			assert.NotEqual(t, "none", col("state").ValueStr(i))
		case "PushEvent":
			assert.Contains(t, col("ref").ValueStr(i), "refs/heads/")
			assert.Empty(t, col("title").ValueStr(i))
			assert.Equal(t, "none", col("state").ValueStr(i))
			assert.Equal(t, int64(0), stop-start)
		}
	}
	assert.Greater(t, types["PushEvent"], types["WatchEvent"])
	assert.Greater(t, len(types), 12, "most event types occur")
	assert.Greater(t, len(actors), 500)
	assert.Less(t, len(actors), 3001)
}

func TestQueuePlausible(t *testing.T) {
	mem := checkedMem(t)
	rec, err := datagen.Queue(mem, 5, 5000)
	require.NoError(t, err)
	defer rec.Release()
	levels := map[string]int{}
	days := map[int64]bool{}
	minLen, maxLen := 1<<30, 0
	ts := rec.Column(0).(*array.Uint64)
	msg := rec.Column(2).(*array.String)
	for i := range int(rec.NumRows()) {
		levels[rec.Column(1).ValueStr(i)]++
		days[int64(ts.Value(i))/86400] = true
		minLen, maxLen = min(minLen, len(msg.Value(i))), max(maxLen, len(msg.Value(i)))
	}
	assert.Len(t, levels, len(datagen.QueueLevels))
	assert.Greater(t, levels["info"], levels["debug"])
	assert.Greater(t, levels["debug"], levels["warning"])
	assert.Greater(t, levels["error"], levels["critical"])
	assert.Len(t, days, 3)
	assert.Less(t, minLen, 40)
	assert.Greater(t, maxLen, 200)
}

// Messages round-trips through the format's decoder and the engine's block builder.
func TestMessagesRoundTrip(t *testing.T) {
	for _, tc := range generators {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			rec, err := tc.gen(mem, 11, 250)
			require.NoError(t, err)
			defer rec.Release()
			for _, per := range []int{1, 7} {
				msgs, err := datagen.Messages(rec, "JSONEachRow", per)
				require.NoError(t, err)
				require.Len(t, msgs, (250+per-1)/per)
				back := decode(t, mem, rec.Schema(), msgs)
				assert.Equal(t, rowStrings(rec), rowStrings(back))
				back.Release()
			}
		})
	}
}

func decode(t *testing.T, mem memory.Allocator, schema *arrow.Schema, msgs [][]byte) arrow.RecordBatch {
	t.Helper()
	f, err := format.Lookup("JSONEachRow")
	require.NoError(t, err)
	s := format.DefaultSettings()
	dec, err := f.NewDecoder(schema, &s)
	require.NoError(t, err)
	cols, err := block.ColumnsFromSchema(schema)
	require.NoError(t, err)
	b, err := block.NewBuilder(mem, cols, nil)
	require.NoError(t, err)
	defer b.Release()
	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
	for i, m := range msgs {
		rows.Reset()
		require.NoError(t, dec.Decode(rows, m), "message %d: %s", i, m)
		b.Append(rows, &virtualcols.Message{})
	}
	return b.NewRecordBatch()
}

func TestMessagesLayout(t *testing.T) {
	mem := checkedMem(t)
	rec, err := datagen.Queue(mem, 2, 10)
	require.NoError(t, err)
	defer rec.Release()
	msgs, err := datagen.Messages(rec, "JSONEachRow", 3)
	require.NoError(t, err)
	require.Len(t, msgs, 4)
	for i, m := range msgs {
		want := 3
		if i == 3 {
			want = 1
		}
		assert.Equal(t, want, bytes.Count(m, []byte("\n")), "message %d", i)
		assert.Equal(t, len(m), cap(m), "message %d is capped", i)
	}

	_, err = datagen.Messages(rec, "NoSuchFormat", 1)
	assert.ErrorIs(t, err, format.ErrUnknownFormat)
	_, err = datagen.Messages(rec, "JSONEachRow", 0)
	assert.Error(t, err)
}
