// Package bench holds chkafka's performance benchmarks (issue 7) and nothing else: every
// file but this one is a test file. Each benchmark runs next to its baseline in the same
// process, on the same bytes and schema, so that the ratios in BENCHMARKS.md come from
// one run:
//
//   - BenchmarkDecode: message payloads → staged rows → block.Builder → Arrow record
//     batches for every format of the issue (JSONEachRow, CSV, TSV, RowBinary, Avro) on
//     the queue and GitHub-events schemas of package datagen, beside arrow-go's own JSON
//     reader (array.NewJSONReader) and CSV reader (arrow/csv) on the concatenated
//     payloads;
//   - BenchmarkEndToEnd: a kafkatest broker → kafkaengine.Table → a discarding sink
//     until the committed offsets reach the end of the topic, beside a raw sarama
//     consumer group reading the same topic without decoding;
//   - BenchmarkInsert: Arrow rows → messages on the broker through Table.Insert, beside
//     raw sarama producers sending the same payloads;
//   - BenchmarkMemory: the peak of live Arrow bytes and of the Go heap while a table
//     ingests 1M and 5M messages with 64k-row blocks.
//
// Formats are looked up by name in the format registry, so a format package joins the
// benchmarks as soon as format/all imports it; until then its benchmarks skip.
//
// The broker of the Kafka benchmarks is kafkatest's (franz-go's kfake) running in a
// child process — the test binary re-executed — so that the measured process's heap,
// garbage collector and profiles hold the client side only, not the topics.
//
// run.sh runs everything in one command and prints the results with the ratios through
// cmd/benchsummary; see BENCHMARKS.md at the repository root.
package bench
