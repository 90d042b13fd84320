package main

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// levelTotals parses the lines after the "level\ttotal" header.
func levelTotals(t *testing.T, out string) map[string]int {
	t.Helper()
	totals := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	header := false
	for sc.Scan() {
		line := sc.Text()
		if !header {
			header = line == "level\ttotal"
			continue
		}
		level, n, ok := strings.Cut(line, "\t")
		require.True(t, ok, "line %q", line)
		v, err := strconv.Atoi(n)
		require.NoError(t, err, "line %q", line)
		totals[level] = v
	}
	require.True(t, header, "no level\\ttotal header in:\n%s", out)
	return totals
}

// The program consumes every message once: the per-level totals add up to -messages.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-messages", "3000", "-topic", "logs", "-group", "daily"}, &out))
	t.Log(out.String())

	totals := levelTotals(t, out.String())
	sum := 0
	for _, v := range totals {
		sum += v
	}
	assert.Equal(t, 3000, sum)
	assert.ElementsMatch(t, []string{"critical", "debug", "error", "info", "warning"}, keys(totals))
	assert.Contains(t, out.String(), `produced 3000 messages to topic "logs"`)
}

// Every Arrow batch of the example and of the table it runs is released.
func TestRunReleasesMemory(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, runWith(ctx, []string{"-messages", "500", "-consumers", "1", "-partitions", "2"}, &out, mem))
	sum := 0
	for _, v := range levelTotals(t, out.String()) {
		sum += v
	}
	assert.Equal(t, 500, sum)
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-messages", "0"}, {"-partitions", "0"}, {"extra"}, {"-nope"}} {
		err := run(context.Background(), args, &bytes.Buffer{})
		assert.Error(t, err, "%q", args)
	}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
