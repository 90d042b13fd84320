// Package block maps ClickHouse column types to Apache Arrow, stages the rows decoded from
// one Kafka message, and builds Arrow record batches from them.
//
// # Types and columns
//
// [ParseType] parses a ClickHouse type ("LowCardinality(Nullable(String))",
// "Map(String, Array(Nullable(Int32)))", "DateTime64(3, 'Asia/Istanbul')", ...) into a
// [*Type]; [Type.String] spells it canonically and [Type.ArrowType] gives its Arrow type
// (DESIGN.md, semantics 9). [ParseColumns] parses CREATE TABLE column definitions and
// refuses what a Kafka table cannot have: DEFAULT/MATERIALIZED/EPHEMERAL/ALIAS expressions
// ([ErrColumnExpression]), virtual-column names ([ErrReservedName]) and duplicates.
// [Schema] and [ColumnsFromSchema] convert between columns and Arrow schemas; the ClickHouse
// type travels in the field metadata under [MetadataKey].
//
// # Staging and building
//
// A format decoder fills a [Rows] — one message's rows — through its columns ([Col]):
// AppendText, AppendInt, AppendUint, AppendFloat, AppendBool, AppendNull, and Begin/End
// calls for Array, Map and Tuple values. The conversions to the column's type live here,
// not in each format, and fail loudly on lossy conversions with a [*ValueError]. Only when
// the whole message decoded does the engine copy the rows into a [Builder]; a broken message
// is dropped with [Rows.Reset] and leaves nothing half-appended. [Builder.Append] cannot
// fail.
//
// Both halves are compiled once per schema and do not allocate per row in steady state:
// staged values live in typed Go slices reused across Reset, and the Builder copies them
// with one precompiled appender per column (bulk AppendValues for fixed-width types).
//
// Usage:
//
//	cols, err := block.ParseColumns([]string{"id UInt64", "level LowCardinality(String)"})
//	if err != nil {
//		return err
//	}
//	b, err := block.NewBuilder(mem, cols, []string{virtualcols.Topic, virtualcols.Offset})
//	if err != nil {
//		return err
//	}
//	defer b.Release()
//	rows := block.NewRows(cols, block.Options{NullAsDefault: true})
//	id, level := rows.Col(rows.Index("id")), rows.Col(rows.Index("level"))
//
//	// per message:
//	rows.Reset()
//	if err := id.AppendText([]byte("42")); err != nil {
//		return err // the engine drops the message
//	}
//	if err := level.AppendText([]byte("info")); err != nil {
//		return err
//	}
//	if err := rows.EndRow(); err != nil {
//		return err
//	}
//	b.Append(rows, &virtualcols.Message{Topic: "logs", Offset: 7})
//
//	// per block:
//	rec := b.NewRecordBatch() // the caller releases it
//	defer rec.Release()
//
// Rows, Col and Builder are not safe for concurrent use: each consumer owns its own.
// Types and Columns are immutable and may be shared.
package block
