@0x99f75f775fe63dae;

struct TestRecordStruct
{
    id @0 : Int64;
    blockNo @1 : UInt16;
    val1 @2 : Text;
    val2 @3 : Float32;
    val3 @4 : UInt8;
}
