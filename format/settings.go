package format

import (
	"fmt"
	"strconv"
	"strings"
)

// Settings are the ClickHouse format settings (SPEC §2.2) a table may carry in its SETTINGS
// next to the kafka_* ones. The zero value is not the default: start from [DefaultSettings].
type Settings struct {
	// SkipUnknownFields is input_format_skip_unknown_fields. Kafka tables default it to
	// true (ClickHouse forces it unless set): fields with no column are ignored; when
	// false they are a parse error.
	SkipUnknownFields bool
	// NullAsDefault is input_format_null_as_default (default true): a NULL for a
	// non-Nullable column gives the type's default instead of an error.
	NullAsDefault bool
	// DateTimeBestEffort is date_time_input_format = 'best_effort' (default 'basic').
	DateTimeBestEffort bool
	// ImportNestedJSON is input_format_import_nested_json (default false): a nested JSON
	// object {"e": {"x": 1}} fills the column `e.x`.
	ImportNestedJSON bool
	// Quote64BitIntegers is output_format_json_quote_64bit_integers (default true):
	// encoders write Int64/UInt64 as JSON strings, as ClickHouse does.
	Quote64BitIntegers bool
	// QuoteDecimals is output_format_json_quote_decimals (default false).
	QuoteDecimals bool

	// WithNamesUseHeader is input_format_with_names_use_header (default true): the
	// header of *WithNames formats maps fields to columns by name; when false it is
	// skipped and fields are taken in column order.
	WithNamesUseHeader bool
	// WithTypesUseHeader is input_format_with_types_use_header (default true): the
	// types header of *WithNamesAndTypes formats is checked against the columns.
	WithTypesUseHeader bool

	// CSVDelimiter is format_csv_delimiter (default ',').
	CSVDelimiter byte
	// CSVAllowSingleQuotes is format_csv_allow_single_quotes (default false).
	CSVAllowSingleQuotes bool
	// CSVAllowDoubleQuotes is format_csv_allow_double_quotes (default true).
	CSVAllowDoubleQuotes bool
	// CSVEmptyAsDefault is input_format_csv_empty_as_default (default true): an empty
	// unquoted field is the column's default.
	CSVEmptyAsDefault bool
	// CSVNullRepresentation is format_csv_null_representation (default `\N`).
	CSVNullRepresentation string
	// TSVNullRepresentation is format_tsv_null_representation (default `\N`).
	TSVNullRepresentation string
	// TSVEmptyAsDefault is input_format_tsv_empty_as_default (default false).
	TSVEmptyAsDefault bool

	// CustomEscapingRule is format_custom_escaping_rule (default "Escaped"): one of
	// Escaped, Quoted, CSV, JSON, XML, Raw.
	CustomEscapingRule string
	// CustomFieldDelimiter is format_custom_field_delimiter (default "\t").
	CustomFieldDelimiter string
	// CustomRowBeforeDelimiter is format_custom_row_before_delimiter (default "").
	CustomRowBeforeDelimiter string
	// CustomRowAfterDelimiter is format_custom_row_after_delimiter (default "\n").
	CustomRowAfterDelimiter string
	// CustomRowBetweenDelimiter is format_custom_row_between_delimiter (default "").
	CustomRowBetweenDelimiter string
	// CustomResultBeforeDelimiter is format_custom_result_before_delimiter (default "").
	CustomResultBeforeDelimiter string
	// CustomResultAfterDelimiter is format_custom_result_after_delimiter (default "").
	CustomResultAfterDelimiter string

	// Regexp is format_regexp (default ""): the Regexp format's row pattern, one
	// capture group per column.
	Regexp string
	// RegexpEscapingRule is format_regexp_escaping_rule (default "Raw"): Escaped,
	// Quoted, CSV, JSON, XML or Raw.
	RegexpEscapingRule string
	// RegexpSkipUnmatched is format_regexp_skip_unmatched (default false).
	RegexpSkipUnmatched bool

	// Schema is format_schema (default ""), set from kafka_schema: "file:Message" or
	// "file.proto:Message".
	Schema string
	// SchemaPath is format_schema_path (default ""): the directory kafka_schema files and
	// their imports are resolved in.
	SchemaPath string
	// AvroSchemaRegistryURL is format_avro_schema_registry_url (default ""); user
	// information in the URL is basic auth.
	AvroSchemaRegistryURL string
	// AvroCodec is output_format_avro_codec (default "": null, deflate, snappy, zstd).
	AvroCodec string
	// AvroRowsInFile is output_format_avro_rows_in_file (default 1).
	AvroRowsInFile int

	// ParquetCompression is output_format_parquet_compression_method (default "lz4":
	// none, snappy, zstd, lz4, gzip, brotli).
	ParquetCompression string
	// ArrowCompression is output_format_arrow_compression_method (default "lz4_frame":
	// none, lz4_frame, zstd).
	ArrowCompression string
}

// DefaultSettings returns the settings a Kafka table has when none is given.
func DefaultSettings() Settings {
	return Settings{
		SkipUnknownFields:       true,
		NullAsDefault:           true,
		Quote64BitIntegers:      true,
		WithNamesUseHeader:      true,
		WithTypesUseHeader:      true,
		CSVDelimiter:            ',',
		CSVAllowDoubleQuotes:    true,
		CSVEmptyAsDefault:       true,
		CSVNullRepresentation:   `\N`,
		TSVNullRepresentation:   `\N`,
		CustomEscapingRule:      "Escaped",
		CustomFieldDelimiter:    "\t",
		CustomRowAfterDelimiter: "\n",
		RegexpEscapingRule:      "Raw",
		AvroRowsInFile:          1,
		ParquetCompression:      "lz4",
		ArrowCompression:        "lz4_frame",
	}
}

type setting struct {
	set   func(s *Settings, v string) error
	allow string
}

func boolSetting(f func(*Settings) *bool) setting {
	return setting{
		allow: "0, 1, true or false",
		set: func(s *Settings, v string) error {
			b, err := ParseBool(v)
			if err != nil {
				return err
			}
			*f(s) = b
			return nil
		},
	}
}

func stringSetting(f func(*Settings) *string) setting {
	return setting{
		allow: "a string",
		set: func(s *Settings, v string) error {
			*f(s) = v
			return nil
		},
	}
}

func oneOf(f func(*Settings) *string, values ...string) setting {
	return setting{
		allow: strings.Join(values, ", "),
		set: func(s *Settings, v string) error {
			for _, a := range values {
				if strings.EqualFold(a, v) {
					*f(s) = a
					return nil
				}
			}
			return fmt.Errorf("unknown value %q", v)
		},
	}
}

var escapingRules = []string{"Escaped", "Quoted", "CSV", "JSON", "XML", "Raw"}

var settings = map[string]setting{
	"input_format_with_names_use_header": boolSetting(func(s *Settings) *bool { return &s.WithNamesUseHeader }),
	"input_format_with_types_use_header": boolSetting(func(s *Settings) *bool { return &s.WithTypesUseHeader }),
	"format_csv_delimiter": {
		allow: "a single character",
		set: func(s *Settings, v string) error {
			if len(v) != 1 {
				return fmt.Errorf("must be one character, got %d bytes", len(v))
			}
			s.CSVDelimiter = v[0]
			return nil
		},
	},
	"format_csv_allow_single_quotes":           boolSetting(func(s *Settings) *bool { return &s.CSVAllowSingleQuotes }),
	"format_csv_allow_double_quotes":           boolSetting(func(s *Settings) *bool { return &s.CSVAllowDoubleQuotes }),
	"input_format_csv_empty_as_default":        boolSetting(func(s *Settings) *bool { return &s.CSVEmptyAsDefault }),
	"format_csv_null_representation":           stringSetting(func(s *Settings) *string { return &s.CSVNullRepresentation }),
	"format_tsv_null_representation":           stringSetting(func(s *Settings) *string { return &s.TSVNullRepresentation }),
	"input_format_tsv_empty_as_default":        boolSetting(func(s *Settings) *bool { return &s.TSVEmptyAsDefault }),
	"format_custom_escaping_rule":              oneOf(func(s *Settings) *string { return &s.CustomEscapingRule }, escapingRules...),
	"format_custom_field_delimiter":            stringSetting(func(s *Settings) *string { return &s.CustomFieldDelimiter }),
	"format_custom_row_before_delimiter":       stringSetting(func(s *Settings) *string { return &s.CustomRowBeforeDelimiter }),
	"format_custom_row_after_delimiter":        stringSetting(func(s *Settings) *string { return &s.CustomRowAfterDelimiter }),
	"format_custom_row_between_delimiter":      stringSetting(func(s *Settings) *string { return &s.CustomRowBetweenDelimiter }),
	"format_custom_result_before_delimiter":    stringSetting(func(s *Settings) *string { return &s.CustomResultBeforeDelimiter }),
	"format_custom_result_after_delimiter":     stringSetting(func(s *Settings) *string { return &s.CustomResultAfterDelimiter }),
	"format_regexp":                            stringSetting(func(s *Settings) *string { return &s.Regexp }),
	"format_regexp_escaping_rule":              oneOf(func(s *Settings) *string { return &s.RegexpEscapingRule }, escapingRules...),
	"format_regexp_skip_unmatched":             boolSetting(func(s *Settings) *bool { return &s.RegexpSkipUnmatched }),
	"format_schema":                            stringSetting(func(s *Settings) *string { return &s.Schema }),
	"format_schema_path":                       stringSetting(func(s *Settings) *string { return &s.SchemaPath }),
	"format_avro_schema_registry_url":          stringSetting(func(s *Settings) *string { return &s.AvroSchemaRegistryURL }),
	"output_format_avro_codec":                 oneOf(func(s *Settings) *string { return &s.AvroCodec }, "", "null", "deflate", "snappy", "zstd"),
	"output_format_parquet_compression_method": oneOf(func(s *Settings) *string { return &s.ParquetCompression }, "none", "snappy", "zstd", "lz4", "gzip", "brotli"),
	"output_format_arrow_compression_method":   oneOf(func(s *Settings) *string { return &s.ArrowCompression }, "none", "lz4_frame", "zstd"),
	"output_format_avro_rows_in_file": {
		allow: "a positive integer",
		set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("not a positive integer: %q", v)
			}
			s.AvroRowsInFile = n
			return nil
		},
	},
	"input_format_skip_unknown_fields":        boolSetting(func(s *Settings) *bool { return &s.SkipUnknownFields }),
	"input_format_null_as_default":            boolSetting(func(s *Settings) *bool { return &s.NullAsDefault }),
	"input_format_import_nested_json":         boolSetting(func(s *Settings) *bool { return &s.ImportNestedJSON }),
	"output_format_json_quote_64bit_integers": boolSetting(func(s *Settings) *bool { return &s.Quote64BitIntegers }),
	"output_format_json_quote_decimals":       boolSetting(func(s *Settings) *bool { return &s.QuoteDecimals }),
	"date_time_input_format": {
		allow: "'basic' or 'best_effort'",
		set: func(s *Settings, v string) error {
			switch v {
			case "basic":
				s.DateTimeBestEffort = false
			case "best_effort":
				s.DateTimeBestEffort = true
			default:
				return fmt.Errorf("unknown value %q", v)
			}
			return nil
		},
	},
}

// IsSetting reports whether name is a format setting chkafka knows.
func IsSetting(name string) bool {
	_, ok := settings[name]
	return ok
}

// Set assigns the setting name from its SQL spelling. The error names the setting and the
// values it allows.
func (s *Settings) Set(name, value string) error {
	st, ok := settings[name]
	if !ok {
		return fmt.Errorf("format: unknown setting %q", name)
	}
	if err := st.set(s, strings.Trim(strings.TrimSpace(value), "'")); err != nil {
		return fmt.Errorf("format: setting %s = %q: %w (allowed: %s)", name, value, err, st.allow)
	}
	return nil
}

// ParseBool parses a ClickHouse boolean setting value: 0, 1, true, false (any case).
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	if _, err := strconv.ParseUint(v, 10, 64); err == nil {
		return true, nil // ClickHouse reads any non-zero number as true
	}
	return false, fmt.Errorf("not a boolean %q", v)
}
