package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tutorial runs through with a small data set, every count is what the steps
// promise, and every Arrow batch is released.
func TestRun(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const events, more = 2000, 300
	var out bytes.Buffer
	err := runWith(ctx, []string{"-events", strconv.Itoa(events), "-more", strconv.Itoa(more), "-timeout", "20s"}, &out, mem)
	t.Log("\n" + out.String())
	require.NoError(t, err)

	text := out.String()
	for _, want := range []string{
		fmt.Sprintf("SELECT count() FROM github → %d ", events),
		fmt.Sprintf("count() still %d", events),
		fmt.Sprintf("count() → %d\n", events+more),
		fmt.Sprintf("count() → %d: consumption resumed", events+2*more),
		fmt.Sprintf("count() → %d; the 100 rows read back equal the 100 rows inserted", events+2*more+100),
		fmt.Sprintf("counts %d messages", more),
	} {
		assert.Contains(t, text, want)
	}
	// Step 2's rows carry the topic and spread over the five partitions.
	m := regexp.MustCompile(`\(github, (\d), (\d+)\)`).FindAllStringSubmatch(text, -1)
	require.Len(t, m, 5)
	sum := 0
	for i, g := range m {
		assert.Equal(t, strconv.Itoa(i), g[1])
		n, _ := strconv.Atoi(g[2])
		sum += n
	}
	assert.Equal(t, more, sum)

	summary := regexp.MustCompile(`github count\(\) = (\d+) .* github_out holds (\d+) messages`).FindStringSubmatch(text)
	require.NotNil(t, summary, "no summary line")
	assert.Equal(t, strconv.Itoa(events+3*more+100), summary[1])
	assert.Equal(t, strconv.Itoa(more), summary[2])
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-events", "99"}, {"-more", "0"}, {"extra"}, {"-nope"}} {
		err := run(context.Background(), args, &bytes.Buffer{})
		assert.Error(t, err, "%q", args)
	}
}
