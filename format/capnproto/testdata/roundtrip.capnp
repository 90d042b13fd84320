# Every column type of the round-trip test, with the type chkafka maps it to.
@0xdbb21700604b4280;

struct Row {
  i8 @0 :Int8;
  i16 @1 :Int16;
  i32 @2 :Int32;
  i64 @3 :Int64;
  u8 @4 :UInt8;
  u16 @5 :UInt16;
  u32 @6 :UInt32;
  u64 @7 :UInt64;
  f32 @8 :Float32;
  f64 @9 :Float64;
  b @10 :Bool;
  s @11 :Data;
  fs @12 :Data;
  d @13 :UInt16;
  d32 @14 :Int32;
  dt @15 :UInt32;
  dtz @16 :UInt32;
  dt64 @17 :Int64;
  dt64u @18 :Int64;
  dt64d @19 :Int64;
  dt64n @20 :Int64;
  dec @21 :Int32;
  dec40 @22 :Text;
  uuid @23 :Data;
  e8 @24 :Text;
  e16 @25 :Text;
  lc @26 :Text;
  lcn :union {
    value @27 :Text;
    null @28 :Void;
  }
  ni :union {
    null @29 :Void;
    value @30 :Int32;
  }
  ns :union {
    value @31 :Text;
    null @32 :Void;
  }
  alc @33 :List(Text);
  aa @34 :List(List(Int8));
  an @35 :List(MaybeFloat64);
  m @36 :MapStringUInt64;
  mk @37 :MapUInt64Strings;
  t @38 :T;
  tu @39 :T2;
}

struct MaybeFloat64 {
  union {
    value @0 :Float64;
    null @1 :Void;
  }
}

struct MapStringUInt64 {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :Text;
    value @1 :UInt64;
  }
}

struct MapUInt64Strings {
  entries @0 :List(Entry);
  struct Entry {
    key @0 :UInt64;
    value @1 :List(Text);
  }
}

struct T {
  a @0 :Int8;
  b @1 :Text;
}

struct T2 {
  first @0 :Int64;
  second :union {
    value @1 :Text;
    null @2 :Void;
  }
}
