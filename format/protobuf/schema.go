package protobuf

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/chkafka/chkafka/format"
)

// schemaRef is a parsed kafka_schema ("file:Message").
type schemaRef struct {
	file    string // file name with extension, relative to dir
	dir     string // directory the file and its imports are resolved in
	message string
}

// parseSchemaSetting splits kafka_schema into file and message: the extension .proto is
// added when the file has none; a relative file is resolved in format_schema_path, or in
// the working directory when that is empty.
func parseSchemaSetting(s *format.Settings) (schemaRef, error) {
	if s == nil || s.Schema == "" {
		return schemaRef{}, errors.New("kafka_schema (format_schema) is not set: it must be 'file.proto:Message'")
	}
	i := strings.LastIndexByte(s.Schema, ':')
	if i <= 0 || i == len(s.Schema)-1 {
		return schemaRef{}, fmt.Errorf("kafka_schema %q must be 'file.proto:Message'", s.Schema)
	}
	file, msg := s.Schema[:i], s.Schema[i+1:]
	if filepath.Ext(file) == "" {
		file += ".proto"
	}
	dir := s.SchemaPath
	if filepath.IsAbs(file) {
		dir, file = filepath.Dir(file), filepath.Base(file)
	} else if dir == "" {
		dir = "."
	}
	return schemaRef{file: filepath.ToSlash(filepath.Clean(file)), dir: dir, message: msg}, nil
}

// compileFile compiles one .proto file with protocompile, resolving imports in dir and
// the well-known google/protobuf/*.proto files from the compiler's copies.
func compileFile(ctx context.Context, resolver protocompile.Resolver, file string) (linker.File, error) {
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(resolver), MaxParallelism: 1}
	files, err := c.Compile(ctx, file)
	if err != nil {
		return nil, err
	}
	return files[0], nil
}

// loadMessage compiles the kafka_schema file and finds its message. With envelope (the
// ProtobufList format) the message is looked up inside the file's message "Envelope", as
// ClickHouse does.
func loadMessage(s *format.Settings, envelope bool) (protoreflect.MessageDescriptor, error) {
	ref, err := parseSchemaSetting(s)
	if err != nil {
		return nil, err
	}
	fd, err := compileFile(context.Background(), &protocompile.SourceResolver{ImportPaths: []string{ref.dir}}, ref.file)
	if err != nil {
		return nil, fmt.Errorf("cannot parse schema file %s: %w", filepath.Join(ref.dir, ref.file), err)
	}
	if envelope {
		env := fd.Messages().ByName("Envelope")
		if env == nil {
			return nil, fmt.Errorf("could not find a message named 'Envelope' in the schema file '%s'", ref.file)
		}
		md := env.Messages().ByName(protoreflect.Name(ref.message))
		if md == nil {
			return nil, fmt.Errorf("could not find a message named '%s' in the message 'Envelope' of the schema file '%s'", ref.message, ref.file)
		}
		return md, nil
	}
	md := findMessage(fd, ref.message)
	if md == nil {
		return nil, fmt.Errorf("could not find a message named '%s' in the schema file '%s'", ref.message, ref.file)
	}
	return md, nil
}

// findMessage finds a message by its name in the file ("Msg"), its path of nested
// messages ("Outer.Inner"), or its full name with the package ("pkg.Outer.Inner").
func findMessage(fd protoreflect.FileDescriptor, name string) protoreflect.MessageDescriptor {
	name = strings.TrimPrefix(name, ".")
	if pkg := string(fd.Package()); pkg != "" && strings.HasPrefix(name, pkg+".") {
		if md := findPath(fd.Messages(), strings.TrimPrefix(name, pkg+".")); md != nil {
			return md
		}
	}
	return findPath(fd.Messages(), name)
}

func findPath(ms protoreflect.MessageDescriptors, path string) protoreflect.MessageDescriptor {
	var md protoreflect.MessageDescriptor
	for part := range strings.SplitSeq(path, ".") {
		if md != nil {
			ms = md.Messages()
		}
		md = ms.ByName(protoreflect.Name(part))
		if md == nil {
			return nil
		}
	}
	return md
}
