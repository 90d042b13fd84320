package bson

import "fmt"

// BSON element types (https://bsonspec.org/spec.html).
const (
	tDouble    = 0x01
	tString    = 0x02
	tDocument  = 0x03
	tArray     = 0x04
	tBinary    = 0x05
	tUndefined = 0x06
	tObjectID  = 0x07
	tBool      = 0x08
	tDatetime  = 0x09
	tNull      = 0x0a
	tRegexp    = 0x0b
	tDBPointer = 0x0c
	tJSCode    = 0x0d
	tSymbol    = 0x0e
	tJSScope   = 0x0f
	tInt32     = 0x10
	tTimestamp = 0x11
	tInt64     = 0x12
	tDecimal   = 0x13
	tMinKey    = 0xff
	tMaxKey    = 0x7f
)

// Binary subtypes.
const (
	subGeneric   = 0x00
	subBinaryOld = 0x02
	subUUIDOld   = 0x03
	subUUID      = 0x04
)

// typeName is ClickHouse's name of a BSON type in its error messages.
func typeName(t byte) string {
	switch t {
	case tDouble:
		return "Double"
	case tString:
		return "String"
	case tDocument:
		return "Embedded document"
	case tArray:
		return "Array"
	case tBinary:
		return "Binary"
	case tUndefined:
		return "Undefined"
	case tObjectID:
		return "ObjectId"
	case tBool:
		return "Bool"
	case tDatetime:
		return "Datetime"
	case tNull:
		return "Null"
	case tRegexp:
		return "Regexp"
	case tDBPointer:
		return "DBPointer"
	case tJSCode:
		return "JavaScript code"
	case tSymbol:
		return "Symbol"
	case tJSScope:
		return "JavaScript code with scope"
	case tInt32:
		return "Int32"
	case tTimestamp:
		return "Timestamp"
	case tInt64:
		return "Int64"
	case tDecimal:
		return "Decimal128"
	case tMinKey:
		return "Min key"
	case tMaxKey:
		return "Max key"
	}
	return fmt.Sprintf("Unknown(0x%02x)", t)
}
