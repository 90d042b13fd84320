package capnproto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chkafka/chkafka/format"
)

// Type tags of schema.capnp's Type union.
const (
	tVoid = iota
	tBool
	tInt8
	tInt16
	tInt32
	tInt64
	tUint8
	tUint16
	tUint32
	tUint64
	tFloat32
	tFloat64
	tText
	tData
	tList
	tEnum
	tStruct
	tInterface
	tAnyPointer
)

var typeNames = [...]string{"Void", "Bool", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
	"UInt64", "Float32", "Float64", "Text", "Data", "List", "Enum", "Struct", "Interface", "AnyPointer"}

// ctype is a field's type.
type ctype struct {
	tag  uint16
	elem *ctype // List
	id   uint64 // Enum, Struct
}

func (t *ctype) String() string {
	if int(t.tag) >= len(typeNames) {
		return fmt.Sprintf("Type(%d)", t.tag)
	}
	if t.tag == tList {
		return "List(" + t.elem.String() + ")"
	}
	return typeNames[t.tag]
}

const noDiscriminant = 0xffff

// cfield is a struct field of the schema.
type cfield struct {
	name    string
	disc    uint16 // discriminant value in the enclosing union, noDiscriminant if none
	group   uint64 // id of the group's node; 0 for a slot
	offset  uint32 // slot offset in units of the type's size (pointer index for pointers)
	typ     *ctype
	defBits uint64 // default of a primitive slot, XORed into the stored value
	defBlob []byte // default of a Text or Data slot
}

// cnode is a struct or enum node of the schema.
type cnode struct {
	id         uint64
	name       string // display name, e.g. "test.capnp:TestRecordStruct"
	isStruct   bool
	isEnum     bool
	isFile     bool
	dataWords  int
	ptrWords   int
	isGroup    bool
	discCount  int
	discOffset uint32
	fields     []cfield
	enumerants []string
	nested     map[string]uint64
}

// schemaSet is a compiled schema file: every node by id, and the file's node.
type schemaSet struct {
	nodes map[uint64]*cnode
	file  uint64
}

// loadSchema compiles the kafka_schema file (s.Schema, "file.capnp:Message" or
// "file:Message", resolved in s.SchemaPath) and returns its root struct.
//
// A file ending in ".bin" is a CodeGeneratorRequest compiled ahead of time by
// `capnp compile -o- file.capnp > file.capnp.bin`. Otherwise the capnp compiler
// (Debian package capnproto) compiles the source; when it is not installed, a
// precompiled "<file>.bin" next to the source is used instead.
func loadSchema(s *format.Settings) (*schemaSet, *cnode, error) {
	if s == nil || s.Schema == "" {
		return nil, nil, errors.New("kafka_schema (format_schema) is not set: it must be 'file.capnp:Message'")
	}
	i := strings.LastIndexByte(s.Schema, ':')
	if i <= 0 || i == len(s.Schema)-1 {
		return nil, nil, fmt.Errorf("kafka_schema %q must be 'file.capnp:Message'", s.Schema)
	}
	file, name := s.Schema[:i], s.Schema[i+1:]
	if filepath.Ext(file) == "" {
		file += ".capnp"
	}
	dir := s.SchemaPath
	if dir == "" {
		dir = "."
	}
	path := file
	if !filepath.IsAbs(file) {
		path = filepath.Join(dir, file)
	}
	req, err := compiledRequest(path, dir)
	if err != nil {
		return nil, nil, err
	}
	set, err := parseRequest(req)
	if err != nil {
		return nil, nil, fmt.Errorf("schema %s: invalid compiled schema: %w", path, err)
	}
	root := set.lookup(name)
	if root == nil || !root.isStruct {
		return nil, nil, fmt.Errorf("could not find a struct named '%s' in the schema file '%s'", name, file)
	}
	return set, root, nil
}

// compiledRequest returns the CodeGeneratorRequest of a schema file.
func compiledRequest(path, dir string) ([]byte, error) {
	if strings.HasSuffix(path, ".bin") {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read compiled schema: %w", err)
		}
		return b, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("schema file: %w", err)
	}
	capnp, lookErr := exec.LookPath("capnp")
	if lookErr != nil {
		if b, err := os.ReadFile(path + ".bin"); err == nil {
			return b, nil
		}
		return nil, fmt.Errorf("cannot compile %s: the capnp compiler is not installed (Debian package capnproto) and there is no precompiled %s.bin (capnp compile -o- %s > %s.bin)", path, path, filepath.Base(path), filepath.Base(path))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"compile", "-o-", "--src-prefix=" + dir}
	if dir != "" {
		args = append(args, "-I", dir)
	}
	cmd := exec.CommandContext(ctx, capnp, append(args, path)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("cannot compile schema %s: %s", path, msg)
	}
	return stdout.Bytes(), nil
}

// lookup finds a struct by name: nested in the file ("Outer.Inner"), or by any node's
// display-name suffix.
func (s *schemaSet) lookup(name string) *cnode {
	n := s.nodes[s.file]
	for part := range strings.SplitSeq(name, ".") {
		if n == nil {
			break
		}
		n = s.nodes[n.nested[part]]
	}
	return n
}

// parseRequest reads a CodeGeneratorRequest (schema.capnp) with the layouts the capnp
// compiler assigns to schema.capnp itself.
func parseRequest(b []byte) (*schemaSet, error) {
	m := &message{}
	if _, err := m.readFrame(b); err != nil {
		return nil, err
	}
	m.budget = 1 << 40 // a trusted compiler's output
	req, err := m.readStruct(0, 0)
	if err != nil {
		return nil, err
	}
	set := &schemaSet{nodes: map[uint64]*cnode{}}
	nodes, err := m.readList(req.seg, req.ptr(0))
	if err != nil {
		return nil, err
	}
	if req.ptr(0) < 0 || nodes.size != szComposite {
		return nil, errors.New("no nodes")
	}
	for i := range nodes.count {
		ns := nodes.elemStruct(i)
		n, err := parseNode(m, ns)
		if err != nil {
			return nil, err
		}
		set.nodes[n.id] = n
	}
	files, err := m.readList(req.seg, req.ptr(1))
	if err != nil {
		return nil, err
	}
	if files.count == 0 || files.size != szComposite {
		return nil, errors.New("no requested file")
	}
	set.file = files.elemStruct(0).u64(0)
	if set.nodes[set.file] == nil {
		return nil, errors.New("the requested file has no node")
	}
	return set, nil
}

func parseNode(m *message, s structRef) (*cnode, error) {
	n := &cnode{id: s.u64(0), nested: map[string]uint64{}}
	name, err := s.blob(0, true)
	if err != nil {
		return nil, err
	}
	n.name = string(name)
	if p := s.ptr(1); p >= 0 {
		nested, err := m.readList(s.seg, p)
		if err != nil {
			return nil, err
		}
		for i := range nested.count {
			if nested.size != szComposite {
				break
			}
			e := nested.elemStruct(i)
			nn, err := e.blob(0, true)
			if err != nil {
				return nil, err
			}
			n.nested[string(nn)] = e.u64(0)
		}
	}
	switch s.u16(6) { // union tag at bits [96, 112)
	case 0:
		n.isFile = true
	case 1:
		n.isStruct = true
		n.dataWords = int(s.u16(7))
		n.ptrWords = int(s.u16(12))
		n.isGroup = s.bit(224)
		n.discCount = int(s.u16(15))
		n.discOffset = uint32(s.u32(8))
		if p := s.ptr(3); p >= 0 {
			fl, err := m.readList(s.seg, p)
			if err != nil {
				return nil, err
			}
			for i := range fl.count {
				if fl.size != szComposite {
					break
				}
				f, err := parseField(m, fl.elemStruct(i))
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, f)
			}
		}
	case 2:
		n.isEnum = true
		if p := s.ptr(3); p >= 0 {
			el, err := m.readList(s.seg, p)
			if err != nil {
				return nil, err
			}
			for i := range el.count {
				if el.size != szComposite {
					break
				}
				en, err := el.elemStruct(i).blob(0, true)
				if err != nil {
					return nil, err
				}
				n.enumerants = append(n.enumerants, string(en))
			}
		}
	}
	return n, nil
}

func parseField(m *message, s structRef) (cfield, error) {
	name, err := s.blob(0, true)
	if err != nil {
		return cfield{}, err
	}
	f := cfield{name: string(name), disc: uint16(s.u16(1)) ^ 0xffff}
	if s.u16(4) == 1 { // group
		f.group = s.u64(2)
		return f, nil
	}
	f.offset = uint32(s.u32(1))
	if f.typ, err = parseType(m, s.seg, s.ptr(2), 0); err != nil {
		return cfield{}, fmt.Errorf("field %s: %w", f.name, err)
	}
	if p := s.ptr(3); p >= 0 {
		v, err := m.readStruct(s.seg, p)
		if err != nil {
			return cfield{}, err
		}
		if !v.isNull {
			switch v.u16(0) {
			case tBool:
				if v.bit(16) {
					f.defBits = 1
				}
			case tInt8, tUint8:
				f.defBits = v.u8(2)
			case tInt16, tUint16, tEnum:
				f.defBits = v.u16(1)
			case tInt32, tUint32, tFloat32:
				f.defBits = v.u32(1)
			case tInt64, tUint64, tFloat64:
				f.defBits = v.u64(1)
			case tText, tData:
				b, err := v.blob(0, v.u16(0) == tText)
				if err != nil {
					return cfield{}, err
				}
				f.defBlob = b
			}
		}
	}
	return f, nil
}

func parseType(m *message, seg, p, depth int) (*ctype, error) {
	if depth > 16 {
		return nil, errDepth
	}
	if p < 0 {
		return &ctype{tag: tVoid}, nil
	}
	s, err := m.readStruct(seg, p)
	if err != nil {
		return nil, err
	}
	t := &ctype{tag: uint16(s.u16(0))}
	switch t.tag {
	case tList:
		if t.elem, err = parseType(m, s.seg, s.ptr(0), depth+1); err != nil {
			return nil, err
		}
	case tEnum, tStruct, tInterface:
		t.id = s.u64(1)
	}
	return t, nil
}
