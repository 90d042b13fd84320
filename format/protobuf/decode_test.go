package protobuf

import (
	"context"
	"fmt"
	"testing"
	_ "time/tzdata"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/bufbuild/protocompile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// descriptor compiles a testdata .proto file and returns one of its messages.
func descriptor(t testing.TB, file, message string) protoreflect.MessageDescriptor {
	t.Helper()
	fd, err := compileFile(context.Background(), &protocompile.SourceResolver{ImportPaths: []string{"testdata"}}, file)
	require.NoError(t, err)
	md := findMessage(fd, message)
	require.NotNil(t, md, message)
	return md
}

// marshal builds a message with the Go protobuf runtime (dynamicpb + proto.Marshal),
// independently of our encoder.
func marshal(t testing.TB, md protoreflect.MessageDescriptor, set func(m *dynamicpb.Message)) []byte {
	t.Helper()
	m := dynamicpb.NewMessage(md)
	set(m)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	return b
}

func field(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	return md.Fields().ByName(protoreflect.Name(name))
}

// VECTORS §1: Protobuf with kafka_schema 'test:TestMessage' (the extension omitted).
func TestMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, matrixCols, settings("test:TestMessage"))
	defer h.Release()
	m1 := readFile(t, "matrix_m1.bin")
	assert.Len(t, readFile(t, "matrix_m2.bin"), 210)
	h.MustDecode(m1, readFile(t, "matrix_m2.bin"), m1)
	rec := h.Record()
	defer rec.Release()
	checkMatrix(t, rec)

	// Protobuf is not "empty OK" in VECTORS §1.2.
	_, err := h.Decode(nil)
	require.ErrorContains(t, err, "Attempt to read after eof")

	// The Go runtime's encoding of row 0 is the VECTORS payload.
	md := descriptor(t, "test.proto", "TestMessage")
	b := marshal(t, md, func(m *dynamicpb.Message) {
		m.Set(field(md, "val1"), protoreflect.ValueOfString("AM"))
		m.Set(field(md, "val2"), protoreflect.ValueOfFloat32(0.5))
		m.Set(field(md, "val3"), protoreflect.ValueOfUint32(1))
	})
	assert.Equal(t, m1, protowire.AppendBytes(nil, b))
}

// VECTORS §7.1: kafka.proto in three messages of 20, 1 and 29 records; ProtobufSingle;
// social.proto with the string field first.
func TestKafkaProto(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	md := descriptor(t, "kafka.proto", "KeyValuePair")
	record := func(i int) []byte {
		return marshal(t, md, func(m *dynamicpb.Message) {
			m.Set(field(md, "key"), protoreflect.ValueOfUint64(uint64(i)))
			m.Set(field(md, "value"), protoreflect.ValueOfString(fmt.Sprint(i)))
		})
	}
	framed := func(from, to int) []byte {
		var out []byte
		for i := from; i <= to; i++ {
			out = protowire.AppendBytes(out, record(i))
		}
		return out
	}
	assert.Equal(t, []byte{0x03, 0x12, 0x01, 0x30}, framed(0, 0))
	assert.Equal(t, []byte{0x05, 0x08, 0x01, 0x12, 0x01, 0x31}, framed(1, 1))
	assert.Equal(t, []byte{0x06, 0x08, 0x14, 0x12, 0x02, 0x32, 0x30}, framed(20, 20))
	assert.Equal(t, framed(0, 1), readFile(t, "kafka_0_1.bin"))

	h := newHarness(t, mem, Format{}, []string{"key UInt64", "value String"}, settings("kafka:KeyValuePair"))
	defer h.Release()
	h.MustDecode(framed(0, 19), framed(20, 20), framed(21, 49))
	rec := h.Record()
	defer rec.Release()
	require.EqualValues(t, 50, rec.NumRows())
	for i := range 50 {
		assert.Equal(t, fmt.Sprint(i), rec.Column(0).ValueStr(i))
		assert.Equal(t, fmt.Sprint(i), rec.Column(1).ValueStr(i))
	}

	s := newHarness(t, mem, Single{}, []string{"key UInt64", "value String"}, settings("kafka.proto:KeyValuePair"))
	defer s.Release()
	assert.Equal(t, []byte{0x12, 0x01, 0x30}, record(0))
	s.MustDecode(record(0), readFile(t, "single_1.bin"), nil)
	srec := s.Record()
	defer srec.Release()
	assert.Equal(t, []string{"0", "1", "0"}, strs(srec.Column(0)))
	assert.Equal(t, []string{"0", "1", ""}, strs(srec.Column(1)), "an empty ProtobufSingle message is a record of defaults")

	u := newHarness(t, mem, Format{}, []string{"username String", "timestamp Int32"}, settings("social:User"))
	defer u.Release()
	um := descriptor(t, "social.proto", "User")
	user := func(from, to int) []byte {
		var out []byte
		for i := from; i <= to; i++ {
			out = protowire.AppendBytes(out, marshal(t, um, func(m *dynamicpb.Message) {
				m.Set(field(um, "username"), protoreflect.ValueOfString(fmt.Sprintf("John Doe %d", i)))
				m.Set(field(um, "timestamp"), protoreflect.ValueOfInt32(int32(1000000+i)))
			}))
		}
		return out
	}
	assert.Equal(t, readFile(t, "social_0.bin"), user(0, 0))
	u.MustDecode(user(0, 19), user(20, 20), user(21, 49))
	urec := u.Record()
	defer urec.Release()
	require.EqualValues(t, 50, urec.NumRows())
	for i := range 50 {
		assert.Equal(t, fmt.Sprintf("John Doe %d", i), urec.Column(0).ValueStr(i))
		assert.Equal(t, fmt.Sprint(1000000+i), urec.Column(1).ValueStr(i))
	}
}

// SPEC issue26643: a repeated nested message flattened into r.name Array(String) etc.; the
// column client does not match the field clien.
func TestRepeatedNested(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	h := newHarness(t, mem, Format{}, []string{"tnow DateTime('Asia/Istanbul')", "server String", "client String",
		"sPort UInt16", "cPort UInt16", "`r.name` Array(String)", "`r.class` Array(UInt16)", "`r.type` Array(UInt16)",
		"`r.ttl` Array(UInt32)", "`r.data` Array(String)", "method String"}, settings("message_with_repeated:Message"))
	defer h.Release()
	h.MustDecode(readFile(t, "issue26643_1.bin"), readFile(t, "issue26643_2.bin"))
	rec := h.Record()
	defer rec.Release()
	require.EqualValues(t, 3, rec.NumRows())
	want := [][]string{
		{"2021-08-15T07:00:00+03:00", "2021-08-15T07:00:02+03:00", "2021-08-15T07:00:02+03:00"},
		{"server1", "", ""},
		{"", "", ""},
		{"443", "0", "0"},
		{"50000", "0", "0"},
		{`["1","2"]`, "[]", "[]"},
		{"[0,0]", "[]", "[]"},
		{"[444,0]", "[]", "[]"},
		{"[123123,0]", "[]", "[]"},
		{`["adsfasd",""]`, "[]", "[]"},
		{"GET", "", ""},
	}
	for k, w := range want {
		assert.Equal(t, w, strs(rec.Column(k)), "column %s", rec.ColumnName(k))
	}
}

// SPEC transaction_oneof: oneofs flattened into columns and mapped to Enum columns.
func TestOneof(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tx := descriptor(t, "oneof_transaction.proto", "Transaction")
	buyMD := field(tx, "buy").Message()
	payMD := field(buyMD, "payment").Message()
	payload := marshal(t, tx, func(m *dynamicpb.Message) {
		m.Set(field(tx, "date"), protoreflect.ValueOfString("1000000"))
		pay := dynamicpb.NewMessage(payMD)
		pay.Set(field(payMD, "cash_value"), protoreflect.ValueOfFloat64(10))
		buy := dynamicpb.NewMessage(buyMD)
		buy.Set(field(buyMD, "payment"), protoreflect.ValueOfMessage(pay))
		buy.Set(field(buyMD, "vendor_name"), protoreflect.ValueOfString("dell"))
		buy.Set(field(buyMD, "items_bought"), protoreflect.ValueOfInt32(1))
		m.Set(field(tx, "buy"), protoreflect.ValueOfMessage(buy))
	})
	h := newHarness(t, mem, Format{}, []string{"date String", "buy_payment_cash_value Float64", "buy_payment_card_value Float64",
		"buy_vendor_name String", "buy_items_bought Int32", "sell_payment_cash_value Float64", "sell_payment_card_value Float64",
		"sell_customer_name String", "sell_items_sold Int32", "payment_details Enum8('omitted' = 0, 'buy' = 2, 'sell' = 3)",
		"buy_payment_value Enum8('omitted' = 0, 'cash_value' = 1, 'card_value' = 2)",
		"sell_payment_value Enum8('omitted' = 0, 'cash_value' = 1, 'card_value' = 2)"}, settings("oneof_transaction:Transaction"))
	defer h.Release()
	h.MustDecode(protowire.AppendBytes(nil, payload))
	rec := h.Record()
	defer rec.Release()
	var got []string
	for k := range int(rec.NumCols()) {
		got = append(got, strs(rec.Column(k))[0])
	}
	assert.Equal(t, []string{"1000000", "10", "0", "dell", "1", "0", "0", "", "0", "buy", "cash_value", "omitted"}, got)
}

// VECTORS §3: each garbage payload is exactly one error, for every Protobuf format.
func TestGarbage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		name string
		h    *harness
	}{
		{"Protobuf", newHarness(t, mem, Format{}, []string{"key UInt64", "value UInt64"}, settings("schema_test_errors:Message"))},
		{"ProtobufSingle", newHarness(t, mem, Single{}, []string{"key UInt64", "value UInt64"}, settings("schema_test_errors:Message"))},
		{"ProtobufList", newHarness(t, mem, List{}, []string{"key UInt64", "value UInt64"}, settings("schema_test_errors.proto:Message"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.h.Release()
			for _, p := range []string{"qwertyuiop", "poiuytrewq", "zxcvbnm", "Broken message\nBroken message\nBroken message\n"} {
				n, err := tc.h.Decode([]byte(p))
				require.Error(t, err, "%q", p)
				assert.Zero(t, n)
				assert.Contains(t, err.Error(), "(at row 1)")
			}
		})
	}
}
